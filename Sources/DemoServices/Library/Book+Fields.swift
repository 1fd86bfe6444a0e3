import GRPCCore
import SwiftProtobuf

extension Book {
    /// The fields a client may write, by their proto names (the paths of an update mask).
    static let writableFields: Set<String> = [
        "title", "authors", "page_count", "genre", "available", "rating", "cover_thumbnail", "publisher", "labels",
    ]

    /// The fields only the server writes; an update mask may name them, and they are left alone.
    static let outputOnlyFields: Set<String> = ["name", "create_time", "update_time"]

    /// The most bytes a cover thumbnail may have.
    static let maxCoverThumbnailBytes = 4096

    /// Copies the fields named in `paths` from `update`.
    ///
    /// - Parameters:
    ///   - update: The book holding the new values.
    ///   - paths: Update-mask paths; an unknown path is an `INVALID_ARGUMENT` error.
    mutating func apply(_ update: Book, paths: [String]) throws(RPCError) {
        for path in paths where !Self.outputOnlyFields.contains(path) {
            switch path {
            case "title": self.title = update.title
            case "authors": self.authors = update.authors
            case "page_count": self.pageCount = update.pageCount
            case "genre": self.genre = update.genre
            case "available": self.available = update.available
            case "rating": self.rating = update.rating
            case "cover_thumbnail": self.coverThumbnail = update.coverThumbnail
            case "publisher": self.publisher = update.publisher
            case "labels": self.labels = update.labels
            default:
                throw RPCError(
                    code: .invalidArgument,
                    message: "update_mask names \"\(path)\", which is not a writable field of Book"
                )
            }
        }
    }

    /// The writable fields of `update` that are not at their default value; an update without a mask writes
    /// these.
    ///
    /// `available` can only be cleared with an explicit mask, since proto3 cannot tell `false` from unset.
    static func nonDefaultFields(of update: Book) -> [String] {
        var paths: [String] = []
        if !update.title.isEmpty { paths.append("title") }
        if !update.authors.isEmpty { paths.append("authors") }
        if update.pageCount != 0 { paths.append("page_count") }
        if update.genre != .unspecified { paths.append("genre") }
        if update.available { paths.append("available") }
        if update.rating != 0 { paths.append("rating") }
        if !update.coverThumbnail.isEmpty { paths.append("cover_thumbnail") }
        if update.hasPublisher { paths.append("publisher") }
        if !update.labels.isEmpty { paths.append("labels") }
        return paths
    }

    /// Checks the book's writable fields; a violation is an `INVALID_ARGUMENT` error.
    ///
    /// - Parameter field: The request field that carried the book, for the error message.
    func validate(field: String) throws(RPCError) {
        if self.title.isEmpty {
            throw RPCError(code: .invalidArgument, message: "\(field).title must not be empty")
        }
        if self.pageCount < 0 {
            throw RPCError(code: .invalidArgument, message: "\(field).page_count must not be negative")
        }
        if !(0...5).contains(self.rating) {
            throw RPCError(code: .invalidArgument, message: "\(field).rating must be between 0 and 5")
        }
        if self.coverThumbnail.count > Self.maxCoverThumbnailBytes {
            throw RPCError(
                code: .invalidArgument,
                message: "\(field).cover_thumbnail has more than \(Self.maxCoverThumbnailBytes) bytes"
            )
        }
    }
}
