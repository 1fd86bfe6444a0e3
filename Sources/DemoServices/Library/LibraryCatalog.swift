import GRPCCore
import SwiftProtobuf

/// The library's shelves and books, and the rules of every operation on them.
///
/// A plain value: `LibraryStore` guards one with a mutex and hands in the current time, so the rules can be
/// tested without a server or a clock. Failures are the gRPC errors the API promises.
struct LibraryCatalog: Sendable {
    /// The page size used when a request asks for 0.
    static let defaultPageSize = 10
    /// The largest page size a request may ask for.
    static let maxPageSize = 100
    /// The loan length used when a checkout asks for 0 days.
    static let defaultLoanDays: Int32 = 14
    /// The longest loan, in days.
    static let maxLoanDays: Int32 = 365

    /// A shelf and its books, by book id.
    private struct ShelfEntry: Sendable {
        var shelf: Shelf
        var books: [String: Book]
    }

    private var shelves: [String: ShelfEntry] = [:]
    /// The number in the next id the server picks (`shelf-N`, `book-N`).
    private var nextGeneratedNumber = 1

    /// An empty catalog.
    init() {}

    /// Every shelf, ordered by name.
    func listShelves() -> [Shelf] {
        self.shelves.sorted { $0.key < $1.key }.map(\.value.shelf)
    }

    /// Adds a shelf.
    ///
    /// - Parameters:
    ///   - shelf: The shelf; its `name` and `create_time` are ignored.
    ///   - id: The new shelf's id, or empty for one picked by the server.
    ///   - now: The creation time.
    /// - Returns: The stored shelf.
    mutating func createShelf(_ shelf: Shelf, id: String, now: Google_Protobuf_Timestamp) throws(RPCError) -> Shelf {
        let existing = self.shelves
        let shelfID = try self.newID(id, field: "shelf_id", prefix: "shelf") { existing[$0] != nil }
        guard self.shelves[shelfID] == nil else {
            throw RPCError(code: .alreadyExists, message: "shelf \(ResourceName.shelf(shelfID)) already exists")
        }
        var stored = Shelf()
        stored.name = ResourceName.shelf(shelfID)
        stored.theme = shelf.theme
        stored.createTime = now
        self.shelves[shelfID] = ShelfEntry(shelf: stored, books: [:])
        return stored
    }

    /// The shelf called `name`.
    func shelf(named name: String) throws(RPCError) -> Shelf {
        try self.entry(ResourceName.shelfID(name, field: "name")).shelf
    }

    /// Removes a shelf; one that still holds books only when `force` is set.
    mutating func deleteShelf(named name: String, force: Bool) throws(RPCError) {
        let shelfID = try ResourceName.shelfID(name, field: "name")
        let entry = try self.entry(shelfID)
        guard entry.books.isEmpty || force else {
            throw RPCError(
                code: .failedPrecondition,
                message: "shelf \(name) holds \(entry.books.count) books; delete them first or set force"
            )
        }
        self.shelves[shelfID] = nil
    }

    /// One page of the books on a shelf, ordered by name, filtered by genre and author.
    func listBooks(_ request: Portico_Demo_Library_V1_ListBooksRequest) throws(RPCError)
        -> Portico_Demo_Library_V1_ListBooksResponse
    {
        let entry = try self.entry(ResourceName.shelfID(request.parent, field: "parent"))
        guard (0...Self.maxPageSize).contains(Int(request.pageSize)) else {
            throw RPCError(
                code: .invalidArgument,
                message: "page_size must be between 0 and \(Self.maxPageSize), not \(request.pageSize)"
            )
        }
        // The token is the id of the last book of the previous page, so pages stay stable across inserts.
        let after = request.pageToken
        if !after.isEmpty, !ResourceName.isValidID(after[...]) {
            throw RPCError(code: .invalidArgument, message: "page_token \"\(after)\" is not valid")
        }
        let pageSize = request.pageSize == 0 ? Self.defaultPageSize : Int(request.pageSize)
        let matching = entry.books.sorted { $0.key < $1.key }.filter { id, book in
            id > after && (request.genre == .unspecified || book.genre == request.genre)
                && (request.author.isEmpty || book.authors.contains(request.author))
        }
        var response = Portico_Demo_Library_V1_ListBooksResponse()
        response.books = matching.prefix(pageSize).map(\.value)
        if matching.count > pageSize {
            response.nextPageToken = matching[pageSize - 1].key
        }
        return response
    }

    /// Adds a book to a shelf; it starts out available.
    ///
    /// - Parameters:
    ///   - book: The book; its `name`, `available` and times are set by the server.
    ///   - parent: The shelf's name.
    ///   - id: The new book's id, or empty for one picked by the server.
    ///   - now: The creation time.
    /// - Returns: The stored book.
    mutating func createBook(
        _ book: Book,
        parent: String,
        id: String,
        now: Google_Protobuf_Timestamp
    ) throws(RPCError) -> Book {
        let shelfID = try ResourceName.shelfID(parent, field: "parent")
        let entry = try self.entry(shelfID)
        try book.validate(field: "book")
        let bookID = try self.newID(id, field: "book_id", prefix: "book") { entry.books[$0] != nil }
        let name = ResourceName.book(shelf: shelfID, book: bookID)
        guard entry.books[bookID] == nil else {
            throw RPCError(code: .alreadyExists, message: "book \(name) already exists")
        }
        var stored = book
        stored.name = name
        stored.available = true
        stored.createTime = now
        stored.updateTime = now
        self.shelves[shelfID]?.books[bookID] = stored
        return stored
    }

    /// The book called `name`.
    func book(named name: String) throws(RPCError) -> Book {
        let (shelfID, bookID) = try ResourceName.bookID(name, field: "name")
        return try self.book(shelfID, bookID)
    }

    /// Changes a book: the fields in `mask`, or every non-default field of `update` when the mask is empty.
    ///
    /// - Parameters:
    ///   - update: The new values; its `name` says which book.
    ///   - mask: The fields to write.
    ///   - now: The update time.
    /// - Returns: The stored book.
    mutating func updateBook(
        _ update: Book,
        mask: Google_Protobuf_FieldMask,
        now: Google_Protobuf_Timestamp
    ) throws(RPCError) -> Book {
        let (shelfID, bookID) = try ResourceName.bookID(update.name, field: "book.name")
        var stored = try self.book(shelfID, bookID)
        try stored.apply(update, paths: mask.paths.isEmpty ? Book.nonDefaultFields(of: update) : mask.paths)
        try stored.validate(field: "book")
        stored.updateTime = now
        self.shelves[shelfID]?.books[bookID] = stored
        return stored
    }

    /// Removes a book.
    mutating func deleteBook(named name: String) throws(RPCError) {
        let (shelfID, bookID) = try ResourceName.bookID(name, field: "name")
        _ = try self.book(shelfID, bookID)
        self.shelves[shelfID]?.books[bookID] = nil
    }

    /// Lends a book out.
    ///
    /// - Parameters:
    ///   - request: The book's name, the borrower and the loan length.
    ///   - now: The checkout time.
    /// - Returns: The book, now unavailable, and when it is due back.
    mutating func checkoutBook(
        _ request: Portico_Demo_Library_V1_CheckoutBookRequest,
        now: Google_Protobuf_Timestamp
    ) throws(RPCError) -> Portico_Demo_Library_V1_CheckoutBookResponse {
        let (shelfID, bookID) = try ResourceName.bookID(request.name, field: "name")
        var stored = try self.book(shelfID, bookID)
        if request.borrower.isEmpty {
            throw RPCError(code: .invalidArgument, message: "borrower must not be empty")
        }
        guard (0...Self.maxLoanDays).contains(request.loanDays) else {
            throw RPCError(code: .invalidArgument, message: "loan_days must be between 0 and \(Self.maxLoanDays)")
        }
        guard stored.available else {
            throw RPCError(code: .failedPrecondition, message: "book \(request.name) is already checked out")
        }
        stored.available = false
        stored.updateTime = now
        self.shelves[shelfID]?.books[bookID] = stored

        let days = request.loanDays == 0 ? Self.defaultLoanDays : request.loanDays
        var response = Portico_Demo_Library_V1_CheckoutBookResponse()
        response.book = stored
        response.borrower = request.borrower
        response.dueTime = Google_Protobuf_Timestamp(seconds: now.seconds + Int64(days) * 86_400, nanos: now.nanos)
        return response
    }

    /// Moves a book to another shelf under the same id.
    ///
    /// - Parameters:
    ///   - name: The book's name.
    ///   - otherShelfName: The destination shelf's name.
    ///   - now: The update time.
    /// - Returns: The book under its new name.
    mutating func moveBook(
        named name: String,
        to otherShelfName: String,
        now: Google_Protobuf_Timestamp
    ) throws(RPCError) -> Book {
        let (shelfID, bookID) = try ResourceName.bookID(name, field: "name")
        let otherShelfID = try ResourceName.shelfID(otherShelfName, field: "other_shelf_name")
        var moved = try self.book(shelfID, bookID)
        let destination = try self.entry(otherShelfID)
        let newName = ResourceName.book(shelf: otherShelfID, book: bookID)
        guard destination.books[bookID] == nil else {
            throw RPCError(code: .alreadyExists, message: "book \(newName) already exists")
        }
        moved.name = newName
        moved.updateTime = now
        self.shelves[shelfID]?.books[bookID] = nil
        self.shelves[otherShelfID]?.books[bookID] = moved
        return moved
    }

    private func entry(_ shelfID: String) throws(RPCError) -> ShelfEntry {
        guard let entry = self.shelves[shelfID] else {
            throw RPCError(code: .notFound, message: "shelf \(ResourceName.shelf(shelfID)) not found")
        }
        return entry
    }

    private func book(_ shelfID: String, _ bookID: String) throws(RPCError) -> Book {
        guard let book = try self.entry(shelfID).books[bookID] else {
            throw RPCError(
                code: .notFound, message: "book \(ResourceName.book(shelf: shelfID, book: bookID)) not found")
        }
        return book
    }

    /// The id a client asked for, checked, or a fresh `prefix-N` when it asked for none.
    private mutating func newID(
        _ requested: String,
        field: String,
        prefix: String,
        isTaken: (String) -> Bool
    ) throws(RPCError) -> String {
        guard requested.isEmpty else {
            try ResourceName.checkID(requested, field: field)
            return requested
        }
        while true {
            let candidate = "\(prefix)-\(self.nextGeneratedNumber)"
            self.nextGeneratedNumber += 1
            if !isTaken(candidate) {
                return candidate
            }
        }
    }
}
