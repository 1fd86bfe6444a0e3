import Foundation
import SwiftProtobuf

extension LibraryCatalog {
    /// The catalog every demo library starts with: `shelves/fiction` and `shelves/science`, three books each.
    ///
    /// `shelves/fiction/books/good-omens` starts checked out. Every seed time is 2025-01-01T00:00:00Z, so the
    /// demo's output does not depend on when it started.
    static func seeded() -> LibraryCatalog {
        var catalog = LibraryCatalog()
        let seedTime = Google_Protobuf_Timestamp(seconds: 1_735_689_600, nanos: 0)
        for (shelfID, theme) in [("fiction", "Novels and stories"), ("science", "Popular science")] {
            var shelf = Shelf()
            shelf.theme = theme
            // The seed is fixed and valid: a failure here is a programming error.
            _ = try! catalog.createShelf(shelf, id: shelfID, now: seedTime)
        }
        for (shelfID, bookID, book) in Self.seedBooks {
            _ = try! catalog.createBook(book, parent: ResourceName.shelf(shelfID), id: bookID, now: seedTime)
        }
        var checkedOut = Book()
        checkedOut.name = ResourceName.book(shelf: "fiction", book: "good-omens")
        _ = try! catalog.updateBook(checkedOut, mask: Google_Protobuf_FieldMask(protoPaths: "available"), now: seedTime)
        return catalog
    }

    private static var seedBooks: [(shelf: String, book: String, Book)] {
        [
            (
                "fiction", "dune",
                Self.book(
                    "Dune", authors: ["Frank Herbert"], pages: 412, genre: .scienceFiction, rating: 4.6,
                    publisher: ("Chilton Books", "US", 1904), labels: ["series": "dune", "language": "en"],
                    cover: [0x47, 0x49, 0x46, 0x38, 0x39, 0x61]
                )
            ),
            (
                "fiction", "good-omens",
                Self.book(
                    "Good Omens", authors: ["Terry Pratchett", "Neil Gaiman"], pages: 288, genre: .fantasy,
                    rating: 4.3, publisher: ("Gollancz", "GB", 1927), labels: ["language": "en"]
                )
            ),
            (
                "fiction", "the-hobbit",
                Self.book(
                    "The Hobbit", authors: ["J. R. R. Tolkien"], pages: 310, genre: .fantasy, rating: 4.7,
                    publisher: ("George Allen & Unwin", "GB", 1871),
                    labels: ["series": "middle-earth", "language": "en"]
                )
            ),
            (
                "science", "a-brief-history-of-time",
                Self.book(
                    "A Brief History of Time", authors: ["Stephen Hawking"], pages: 256, genre: .science,
                    rating: 4.2, publisher: ("Bantam Books", "US", 1945), labels: ["language": "en"]
                )
            ),
            (
                "science", "cosmos",
                Self.book(
                    "Cosmos", authors: ["Carl Sagan"], pages: 396, genre: .science, rating: 4.4,
                    publisher: ("Random House", "US", 1927), labels: ["language": "en"]
                )
            ),
            (
                "science", "the-selfish-gene",
                Self.book(
                    "The Selfish Gene", authors: ["Richard Dawkins"], pages: 360, genre: .science, rating: 4.1,
                    publisher: ("Oxford University Press", "GB", 1586), labels: ["language": "en"]
                )
            ),
        ]
    }

    private static func book(
        _ title: String,
        authors: [String],
        pages: Int64,
        genre: Genre,
        rating: Double,
        publisher: (name: String, country: String, founded: Int32),
        labels: [String: String],
        cover: [UInt8] = []
    ) -> Book {
        var book = Book()
        book.title = title
        book.authors = authors
        book.pageCount = pages
        book.genre = genre
        book.rating = rating
        book.publisher.name = publisher.name
        book.publisher.country = publisher.country
        book.publisher.foundedYear = publisher.founded
        book.labels = labels
        book.coverThumbnail = Data(cover)
        return book
    }
}
