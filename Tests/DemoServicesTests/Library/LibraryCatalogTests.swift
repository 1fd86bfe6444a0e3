import GRPCCore
import SwiftProtobuf
import Testing

@testable import DemoServices

@Suite("LibraryCatalog")
struct LibraryCatalogTests {
    let now = Google_Protobuf_Timestamp(seconds: 1_800_000_000, nanos: 0)

    /// The error code `body` throws, or nil.
    func code(_ body: () throws -> Void) -> RPCError.Code? {
        do {
            try body()
            return nil
        } catch let error as RPCError {
            return error.code
        } catch {
            Issue.record("not an RPCError: \(error)")
            return nil
        }
    }

    @Test("The seed has two shelves of three books, and Good Omens is checked out")
    func seed() throws {
        let catalog = LibraryCatalog.seeded()
        #expect(catalog.listShelves().map(\.name) == ["shelves/fiction", "shelves/science"])
        var request = Portico_Demo_Library_V1_ListBooksRequest()
        request.parent = "shelves/fiction"
        let books = try catalog.listBooks(request).books
        #expect(
            books.map(\.name) == [
                "shelves/fiction/books/dune", "shelves/fiction/books/good-omens",
                "shelves/fiction/books/the-hobbit",
            ])
        #expect(books.map(\.available) == [true, false, true])
        let dune = books[0]
        #expect(dune.genre == .scienceFiction && dune.pageCount == 412 && dune.rating == 4.6)
        #expect(dune.publisher.name == "Chilton Books" && dune.labels["series"] == "dune")
        #expect(!dune.coverThumbnail.isEmpty && dune.createTime.seconds == 1_735_689_600)
    }

    @Test("Books are listed in pages; the token is the last id of the previous page")
    func pagination() throws {
        let catalog = LibraryCatalog.seeded()
        var request = Portico_Demo_Library_V1_ListBooksRequest()
        request.parent = "shelves/fiction"
        request.pageSize = 2
        let first = try catalog.listBooks(request)
        #expect(first.books.map(\.title) == ["Dune", "Good Omens"])
        #expect(first.nextPageToken == "good-omens")
        request.pageToken = first.nextPageToken
        let second = try catalog.listBooks(request)
        #expect(second.books.map(\.title) == ["The Hobbit"])
        #expect(second.nextPageToken.isEmpty)
    }

    @Test("Books are filtered by genre and by author")
    func filters() throws {
        let catalog = LibraryCatalog.seeded()
        var request = Portico_Demo_Library_V1_ListBooksRequest()
        request.parent = "shelves/fiction"
        request.genre = .fantasy
        #expect(try catalog.listBooks(request).books.map(\.title) == ["Good Omens", "The Hobbit"])
        request.author = "Neil Gaiman"
        #expect(try catalog.listBooks(request).books.map(\.title) == ["Good Omens"])
        request.genre = .poetry
        #expect(try catalog.listBooks(request).books.isEmpty)
    }

    @Test(
        "A page size outside 0...100 or a malformed token is INVALID_ARGUMENT",
        arguments: [
            (-1, ""), (101, ""), (10, "Not/A-Token"),
        ])
    func badPageRequest(pageSize: Int32, token: String) {
        var request = Portico_Demo_Library_V1_ListBooksRequest()
        request.parent = "shelves/fiction"
        request.pageSize = pageSize
        request.pageToken = token
        #expect(self.code { _ = try LibraryCatalog.seeded().listBooks(request) } == .invalidArgument)
    }

    @Test(
        "A malformed book name is INVALID_ARGUMENT",
        arguments: [
            "", "shelves/fiction", "books/dune", "shelves//books/dune", "shelves/Fiction/books/dune",
            "shelves/fiction/books/dune/extra", "shelves/fiction/novels/dune", "shelves/-x/books/dune",
        ])
    func badBookName(name: String) {
        #expect(self.code { _ = try LibraryCatalog.seeded().book(named: name) } == .invalidArgument)
    }

    @Test("A missing shelf or book is NOT_FOUND")
    func notFound() {
        let catalog = LibraryCatalog.seeded()
        #expect(self.code { _ = try catalog.shelf(named: "shelves/poetry") } == .notFound)
        #expect(self.code { _ = try catalog.book(named: "shelves/poetry/books/dune") } == .notFound)
        #expect(self.code { _ = try catalog.book(named: "shelves/fiction/books/missing") } == .notFound)
    }

    @Test("Shelves get the requested id or a generated one, and an existing id is ALREADY_EXISTS")
    func createShelf() throws {
        var catalog = LibraryCatalog()
        var shelf = Shelf()
        shelf.theme = "Poems"
        shelf.name = "ignored"
        let poetry = try catalog.createShelf(shelf, id: "poetry", now: self.now)
        #expect(poetry.name == "shelves/poetry" && poetry.theme == "Poems" && poetry.createTime == self.now)
        let generated = try catalog.createShelf(shelf, id: "", now: self.now)
        #expect(generated.name == "shelves/shelf-1")
        #expect(self.code { _ = try catalog.createShelf(shelf, id: "poetry", now: self.now) } == .alreadyExists)
        #expect(self.code { _ = try catalog.createShelf(shelf, id: "Bad Id", now: self.now) } == .invalidArgument)
    }

    @Test("A shelf with books is deleted only with force")
    func deleteShelf() throws {
        var catalog = LibraryCatalog.seeded()
        #expect(self.code { try catalog.deleteShelf(named: "shelves/fiction", force: false) } == .failedPrecondition)
        try catalog.deleteShelf(named: "shelves/fiction", force: true)
        #expect(catalog.listShelves().map(\.name) == ["shelves/science"])
        #expect(self.code { try catalog.deleteShelf(named: "shelves/fiction", force: true) } == .notFound)
    }

    @Test("A created book gets its name and times from the server and starts out available")
    func createBook() throws {
        var catalog = LibraryCatalog.seeded()
        var book = Book()
        book.title = "Neuromancer"
        book.name = "ignored"
        let created = try catalog.createBook(book, parent: "shelves/fiction", id: "neuromancer", now: self.now)
        #expect(created.name == "shelves/fiction/books/neuromancer")
        #expect(created.available && created.createTime == self.now && created.updateTime == self.now)
        #expect(try catalog.book(named: created.name) == created)
        let again = { _ = try catalog.createBook(book, parent: "shelves/fiction", id: "neuromancer", now: self.now) }
        #expect(self.code(again) == .alreadyExists)
        book.title = ""
        #expect(
            self.code { _ = try catalog.createBook(book, parent: "shelves/fiction", id: "", now: self.now) }
                == .invalidArgument)
    }

    @Test("An update writes the masked fields, or without a mask the non-default ones")
    func updateBook() throws {
        var catalog = LibraryCatalog.seeded()
        var update = Book()
        update.name = "shelves/fiction/books/dune"
        update.rating = 4.9
        update.title = ""
        let merged = try catalog.updateBook(update, mask: Google_Protobuf_FieldMask(), now: self.now)
        #expect(merged.rating == 4.9 && merged.title == "Dune" && merged.authors == ["Frank Herbert"])
        #expect(merged.updateTime == self.now && merged.createTime.seconds == 1_735_689_600)

        update.available = false
        update.labels = [:]
        let masked = try catalog.updateBook(
            update,
            mask: Google_Protobuf_FieldMask(protoPaths: "available", "labels", "name"),
            now: self.now
        )
        #expect(!masked.available && masked.labels.isEmpty && masked.name == update.name)

        let unknownPath = Google_Protobuf_FieldMask(protoPaths: "shelf")
        #expect(self.code { _ = try catalog.updateBook(update, mask: unknownPath, now: self.now) } == .invalidArgument)
        update.rating = 7
        #expect(
            self.code { _ = try catalog.updateBook(update, mask: Google_Protobuf_FieldMask(), now: self.now) }
                == .invalidArgument)
    }

    @Test("A checkout lends the book out until the due time, and a second one is FAILED_PRECONDITION")
    func checkout() throws {
        var catalog = LibraryCatalog.seeded()
        var request = Portico_Demo_Library_V1_CheckoutBookRequest()
        request.name = "shelves/fiction/books/dune"
        request.borrower = "Paul"
        request.loanDays = 7
        let response = try catalog.checkoutBook(request, now: self.now)
        #expect(!response.book.available && response.borrower == "Paul")
        #expect(response.dueTime.seconds == self.now.seconds + 7 * 86_400)
        #expect(self.code { _ = try catalog.checkoutBook(request, now: self.now) } == .failedPrecondition)
        request.borrower = ""
        request.name = "shelves/fiction/books/the-hobbit"
        #expect(self.code { _ = try catalog.checkoutBook(request, now: self.now) } == .invalidArgument)
    }

    @Test("A book moves to another shelf under the same id")
    func move() throws {
        var catalog = LibraryCatalog.seeded()
        let moved = try catalog.moveBook(named: "shelves/science/books/cosmos", to: "shelves/fiction", now: self.now)
        #expect(moved.name == "shelves/fiction/books/cosmos" && moved.title == "Cosmos")
        #expect(self.code { _ = try catalog.book(named: "shelves/science/books/cosmos") } == .notFound)
        #expect(try catalog.book(named: "shelves/fiction/books/cosmos") == moved)
        #expect(
            self.code {
                _ = try catalog.moveBook(named: "shelves/fiction/books/cosmos", to: "shelves/fiction", now: self.now)
            } == .alreadyExists)
        #expect(
            self.code {
                _ = try catalog.moveBook(named: "shelves/fiction/books/dune", to: "shelves/poetry", now: self.now)
            } == .notFound)
    }
}
