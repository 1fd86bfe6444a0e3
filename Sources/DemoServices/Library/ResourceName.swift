import GRPCCore

/// Parses and checks the library's resource names, `shelves/{shelf}` and `shelves/{shelf}/books/{book}`.
///
/// Failures are `INVALID_ARGUMENT` errors naming the request field, as a real API would report them.
enum ResourceName {
    /// The most characters an id may have.
    static let maxIDLength = 63

    /// Whether `id` is 1 to 63 lowercase letters, digits and '-', starting with a letter or a digit.
    static func isValidID(_ id: Substring) -> Bool {
        guard let first = id.utf8.first, id.utf8.count <= Self.maxIDLength, first != UInt8(ascii: "-") else {
            return false
        }
        return id.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-")
        }
    }

    /// Checks an id chosen by a client.
    ///
    /// - Parameters:
    ///   - id: The id.
    ///   - field: The request field that carried it, for the error message.
    static func checkID(_ id: String, field: String) throws(RPCError) {
        guard Self.isValidID(id[...]) else {
            throw RPCError(
                code: .invalidArgument,
                message: "\(field) \"\(id)\" is not a valid id: use 1 to 63 of a-z, 0-9 and '-', not starting with '-'"
            )
        }
    }

    /// The shelf id in `shelves/{shelf}`.
    ///
    /// - Parameters:
    ///   - name: The shelf name.
    ///   - field: The request field that carried it, for the error message.
    /// - Returns: The shelf id.
    static func shelfID(_ name: String, field: String) throws(RPCError) -> String {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "shelves", Self.isValidID(parts[1]) else {
            throw RPCError(
                code: .invalidArgument, message: "\(field) \"\(name)\" is not a shelf name (shelves/{shelf})")
        }
        return String(parts[1])
    }

    /// The shelf and book ids in `shelves/{shelf}/books/{book}`.
    ///
    /// - Parameters:
    ///   - name: The book name.
    ///   - field: The request field that carried it, for the error message.
    /// - Returns: The shelf id and the book id.
    static func bookID(_ name: String, field: String) throws(RPCError) -> (shelf: String, book: String) {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "shelves", parts[2] == "books", Self.isValidID(parts[1]),
            Self.isValidID(parts[3])
        else {
            throw RPCError(
                code: .invalidArgument,
                message: "\(field) \"\(name)\" is not a book name (shelves/{shelf}/books/{book})"
            )
        }
        return (String(parts[1]), String(parts[3]))
    }

    /// `shelves/{shelf}`.
    static func shelf(_ shelfID: String) -> String {
        "shelves/\(shelfID)"
    }

    /// `shelves/{shelf}/books/{book}`.
    static func book(shelf shelfID: String, book bookID: String) -> String {
        "shelves/\(shelfID)/books/\(bookID)"
    }
}
