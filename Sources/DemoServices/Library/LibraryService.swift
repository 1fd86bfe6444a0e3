import GRPCCore
import SwiftProtobuf

/// The demo `portico.demo.library.v1.LibraryService`: shelves and books kept in a `LibraryStore`.
///
/// Every response, successful or not, carries the `served-by` metadata key with the instance's name.
struct LibraryService: Portico_Demo_Library_V1_LibraryService.ServiceProtocol {
    /// The instance's name, e.g. "library-1".
    let name: String
    /// The shelves and books, possibly shared with other instances.
    let store: LibraryStore

    func listShelves(
        request: ServerRequest<Portico_Demo_Library_V1_ListShelvesRequest>,
        context: ServerContext
    ) async throws -> ServerResponse<Portico_Demo_Library_V1_ListShelvesResponse> {
        self.respond { () throws(RPCError) in
            var response = Portico_Demo_Library_V1_ListShelvesResponse()
            response.shelves = try self.store.read { $0.listShelves() }
            return response
        }
    }

    func createShelf(
        request: ServerRequest<Portico_Demo_Library_V1_CreateShelfRequest>,
        context: ServerContext
    ) async throws -> ServerResponse<Shelf> {
        self.respond { () throws(RPCError) in
            try self.store.write { catalog, now throws(RPCError) in
                try catalog.createShelf(request.message.shelf, id: request.message.shelfID, now: now)
            }
        }
    }

    func getShelf(
        request: ServerRequest<Portico_Demo_Library_V1_GetShelfRequest>,
        context: ServerContext
    ) async throws -> ServerResponse<Shelf> {
        self.respond { () throws(RPCError) in
            try self.store.read { catalog throws(RPCError) in try catalog.shelf(named: request.message.name) }
        }
    }

    func deleteShelf(
        request: ServerRequest<Portico_Demo_Library_V1_DeleteShelfRequest>,
        context: ServerContext
    ) async throws -> ServerResponse<Google_Protobuf_Empty> {
        self.respond { () throws(RPCError) in
            try self.store.write { catalog, _ throws(RPCError) in
                try catalog.deleteShelf(named: request.message.name, force: request.message.force)
            }
            return Google_Protobuf_Empty()
        }
    }

    func listBooks(
        request: ServerRequest<Portico_Demo_Library_V1_ListBooksRequest>,
        context: ServerContext
    ) async throws -> ServerResponse<Portico_Demo_Library_V1_ListBooksResponse> {
        self.respond { () throws(RPCError) in
            try self.store.read { catalog throws(RPCError) in try catalog.listBooks(request.message) }
        }
    }

    func createBook(
        request: ServerRequest<Portico_Demo_Library_V1_CreateBookRequest>,
        context: ServerContext
    ) async throws -> ServerResponse<Book> {
        self.respond { () throws(RPCError) in
            try self.store.write { catalog, now throws(RPCError) in
                try catalog.createBook(
                    request.message.book,
                    parent: request.message.parent,
                    id: request.message.bookID,
                    now: now
                )
            }
        }
    }

    func getBook(
        request: ServerRequest<Portico_Demo_Library_V1_GetBookRequest>,
        context: ServerContext
    ) async throws -> ServerResponse<Book> {
        self.respond { () throws(RPCError) in
            try self.store.read { catalog throws(RPCError) in try catalog.book(named: request.message.name) }
        }
    }

    func updateBook(
        request: ServerRequest<Portico_Demo_Library_V1_UpdateBookRequest>,
        context: ServerContext
    ) async throws -> ServerResponse<Book> {
        self.respond { () throws(RPCError) in
            try self.store.write { catalog, now throws(RPCError) in
                try catalog.updateBook(request.message.book, mask: request.message.updateMask, now: now)
            }
        }
    }

    func deleteBook(
        request: ServerRequest<Portico_Demo_Library_V1_DeleteBookRequest>,
        context: ServerContext
    ) async throws -> ServerResponse<Google_Protobuf_Empty> {
        self.respond { () throws(RPCError) in
            try self.store.write { catalog, _ throws(RPCError) in try catalog.deleteBook(named: request.message.name) }
            return Google_Protobuf_Empty()
        }
    }

    func checkoutBook(
        request: ServerRequest<Portico_Demo_Library_V1_CheckoutBookRequest>,
        context: ServerContext
    ) async throws -> ServerResponse<Portico_Demo_Library_V1_CheckoutBookResponse> {
        self.respond { () throws(RPCError) in
            try self.store.write { catalog, now throws(RPCError) in
                try catalog.checkoutBook(request.message, now: now)
            }
        }
    }

    func moveBook(
        request: ServerRequest<Portico_Demo_Library_V1_MoveBookRequest>,
        context: ServerContext
    ) async throws -> ServerResponse<Book> {
        self.respond { () throws(RPCError) in
            try self.store.write { catalog, now throws(RPCError) in
                try catalog.moveBook(named: request.message.name, to: request.message.otherShelfName, now: now)
            }
        }
    }

    /// The response `body` produces, or the gRPC error it throws, with `served-by` added to the metadata.
    private func respond<Output: Sendable>(
        _ body: () throws(RPCError) -> Output
    ) -> ServerResponse<Output> {
        do throws(RPCError) {
            return ServerResponse(message: try body(), metadata: ["served-by": .string(self.name)])
        } catch {
            var error = error
            error.metadata.addString(self.name, forKey: "served-by")
            return ServerResponse(error: error)
        }
    }
}
