import DemoServices
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import SwiftProtobuf
import Testing

@Suite("LibraryService over loopback")
struct LibraryServiceTests {
    typealias Library = Portico_Demo_Library_V1_LibraryService.Client<HTTP2ClientTransport.Posix>

    @Test("Shelves and books go through create, read, update, list, checkout, move and delete")
    func crudFlow() async throws {
        try await withBackend(.library, name: "library-1", libraryStore: LibraryStore(seeded: false)) { backend in
            try await withClient(to: backend) { client in
                let library = Library(wrapping: client)

                var shelf = Portico_Demo_Library_V1_CreateShelfRequest()
                shelf.shelfID = "poetry"
                shelf.shelf.theme = "Poems"
                let poetry = try await library.createShelf(shelf)
                #expect(poetry.name == "shelves/poetry" && poetry.theme == "Poems" && poetry.hasCreateTime)
                shelf.shelfID = "archive"
                _ = try await library.createShelf(shelf)
                #expect(
                    try await library.listShelves(.init()).shelves.map(\.name) == ["shelves/archive", "shelves/poetry"])

                var create = Portico_Demo_Library_V1_CreateBookRequest()
                create.parent = "shelves/poetry"
                create.bookID = "leaves-of-grass"
                create.book.title = "Leaves of Grass"
                create.book.authors = ["Walt Whitman"]
                create.book.pageCount = 145
                create.book.genre = .poetry
                create.book.rating = 4.25
                create.book.coverThumbnail = Data([0x47, 0x49, 0x46, 0x00, 0xFF])
                create.book.publisher.name = "Fowler & Wells"
                create.book.publisher.foundedYear = 1844
                create.book.labels = ["language": "en", "edition": "first"]
                let created = try await library.createBook(create)
                #expect(created.name == "shelves/poetry/books/leaves-of-grass" && created.available)
                #expect(created.hasCreateTime && created.updateTime == created.createTime)

                var get = Portico_Demo_Library_V1_GetBookRequest()
                get.name = created.name
                let fetched = try await library.getBook(get)
                #expect(fetched == created)
                #expect(fetched.coverThumbnail == Data([0x47, 0x49, 0x46, 0x00, 0xFF]))
                #expect(fetched.labels == ["language": "en", "edition": "first"])

                var update = Portico_Demo_Library_V1_UpdateBookRequest()
                update.book.name = created.name
                update.book.rating = 5
                update.book.title = "ignored: not in the mask"
                update.updateMask = Google_Protobuf_FieldMask(protoPaths: "rating")
                let updated = try await library.updateBook(update)
                #expect(updated.rating == 5 && updated.title == "Leaves of Grass")

                var list = Portico_Demo_Library_V1_ListBooksRequest()
                list.parent = "shelves/poetry"
                list.genre = .poetry
                #expect(try await library.listBooks(list).books == [updated])

                var checkout = Portico_Demo_Library_V1_CheckoutBookRequest()
                checkout.name = created.name
                checkout.borrower = "Emily"
                let loan = try await library.checkoutBook(checkout)
                #expect(!loan.book.available && loan.dueTime.seconds > loan.book.updateTime.seconds)

                var move = Portico_Demo_Library_V1_MoveBookRequest()
                move.name = created.name
                move.otherShelfName = "shelves/archive"
                let moved = try await library.moveBook(move)
                #expect(moved.name == "shelves/archive/books/leaves-of-grass")

                var delete = Portico_Demo_Library_V1_DeleteBookRequest()
                delete.name = moved.name
                _ = try await library.deleteBook(delete)
                get.name = moved.name
                #expect(try await rpcErrorCode { _ = try await library.getBook(get) } == .notFound)

                var deleteShelf = Portico_Demo_Library_V1_DeleteShelfRequest()
                deleteShelf.name = "shelves/poetry"
                _ = try await library.deleteShelf(deleteShelf)
                #expect(try await library.listShelves(.init()).shelves.map(\.name) == ["shelves/archive"])
            }
        }
    }

    @Test("Errors are real gRPC statuses: NOT_FOUND, ALREADY_EXISTS, INVALID_ARGUMENT, FAILED_PRECONDITION")
    func errors() async throws {
        try await withBackend(.library) { backend in
            try await withClient(to: backend) { client throws in
                let library = Library(wrapping: client)
                var getShelf = Portico_Demo_Library_V1_GetShelfRequest()
                getShelf.name = "shelves/missing"
                #expect(try await rpcErrorCode { _ = try await library.getShelf(getShelf) } == .notFound)
                getShelf.name = "shelves/Not Valid"
                #expect(try await rpcErrorCode { _ = try await library.getShelf(getShelf) } == .invalidArgument)

                var createShelf = Portico_Demo_Library_V1_CreateShelfRequest()
                createShelf.shelfID = "fiction"
                #expect(try await rpcErrorCode { _ = try await library.createShelf(createShelf) } == .alreadyExists)

                var list = Portico_Demo_Library_V1_ListBooksRequest()
                list.parent = "shelves/fiction"
                list.pageSize = -5
                #expect(try await rpcErrorCode { _ = try await library.listBooks(list) } == .invalidArgument)

                var deleteShelf = Portico_Demo_Library_V1_DeleteShelfRequest()
                deleteShelf.name = "shelves/fiction"
                #expect(
                    try await rpcErrorCode { _ = try await library.deleteShelf(deleteShelf) } == .failedPrecondition)
            }
        }
    }

    @Test("Every response names the instance in served-by, in its headers or, on failure, its trailers")
    func servedBy() async throws {
        try await withBackend(.library, name: "library-7") { backend in
            try await withClient(to: backend) { client in
                let library = Library(wrapping: client)
                let metadata = try await library.listShelves(.init()) { response in response.metadata }
                #expect(Array(metadata[stringValues: "served-by"]) == ["library-7"])

                var get = Portico_Demo_Library_V1_GetBookRequest()
                get.name = "shelves/fiction/books/missing"
                let trailers = try await library.getBook(get) { response in response.trailingMetadata }
                #expect(Array(trailers[stringValues: "served-by"]) == ["library-7"])
            }
        }
    }

    @Test("Two instances sharing a store serve the same library")
    func sharedStore() async throws {
        let store = LibraryStore()
        try await withBackend(.library, name: "library-1", libraryStore: store) { first in
            try await withBackend(.library, name: "library-2", libraryStore: store) { second in
                var create = Portico_Demo_Library_V1_CreateShelfRequest()
                create.shelfID = "shared"
                _ = try await withClient(to: first) { try await Library(wrapping: $0).createShelf(create) }
                var get = Portico_Demo_Library_V1_GetShelfRequest()
                get.name = "shelves/shared"
                let shelf = try await withClient(to: second) { try await Library(wrapping: $0).getShelf(get) }
                #expect(shelf.name == "shelves/shared")
            }
        }
    }
}
