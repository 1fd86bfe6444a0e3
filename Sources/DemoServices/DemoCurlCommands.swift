/// curl commands that exercise every HTTP rule of the demo services through the gateway, for the README and
/// for `portico demo` to print.
///
/// Run in order against freshly seeded backends they all succeed, except the two that show errors on purpose
/// (a missing book: 404; a requested NOT_FOUND failure: 404). Bodies use the lowerCamel JSON names.
public enum DemoCurlCommands {
    /// The commands for a gateway on http://127.0.0.1:8080.
    public static let all: [String] = Self.commands(baseURL: "http://127.0.0.1:8080")

    /// The commands for a gateway at `baseURL`.
    ///
    /// - Parameter baseURL: The gateway's URL without a trailing slash, e.g. "http://127.0.0.1:8080".
    /// - Returns: One shell command per element.
    public static func commands(baseURL: String) -> [String] {
        let json = "-H 'Content-Type: application/json'"
        return [
            // LibraryService
            "curl -s \(baseURL)/v1/shelves",
            "curl -s -X POST '\(baseURL)/v1/shelves?shelfId=poetry' \(json) -d '{\"theme\":\"Poems\"}'",
            "curl -s \(baseURL)/v1/shelves/fiction",
            "curl -s '\(baseURL)/v1/shelves/fiction/books?pageSize=2'",
            "curl -s '\(baseURL)/v1/shelves/fiction/books?pageSize=2&pageToken=good-omens'",
            "curl -s '\(baseURL)/v1/shelves/fiction/books?genre=GENRE_FANTASY&author=Neil%20Gaiman'",
            "curl -s -X POST '\(baseURL)/v1/shelves/fiction/books?bookId=neuromancer' \(json) -d "
                + "'{\"title\":\"Neuromancer\",\"authors\":[\"William Gibson\"],\"pageCount\":271,"
                + "\"genre\":\"GENRE_SCIENCE_FICTION\",\"rating\":3.9,\"coverThumbnail\":\"R0lGODlh\","
                + "\"publisher\":{\"name\":\"Ace\",\"country\":\"US\",\"foundedYear\":1952},"
                + "\"labels\":{\"language\":\"en\"}}'",
            "curl -s \(baseURL)/v1/shelves/fiction/books/dune",
            "curl -s -X PATCH \(baseURL)/v1/shelves/fiction/books/dune \(json) -d "
                + "'{\"rating\":4.8,\"labels\":{\"series\":\"dune\",\"language\":\"en\",\"edition\":\"first\"}}'",
            "curl -s -X PUT \(baseURL)/v1/shelves/science/books/cosmos \(json) -d "
                + "'{\"title\":\"Cosmos\",\"authors\":[\"Carl Sagan\"],\"pageCount\":\"365\",\"rating\":4.5}'",
            "curl -s -X POST \(baseURL)/v1/shelves/fiction/books/the-hobbit:checkout \(json) -d "
                + "'{\"borrower\":\"Bilbo\",\"loanDays\":7}'",
            "curl -s -X POST \(baseURL)/portico.demo.library.v1.LibraryService/MoveBook \(json) -d "
                + "'{\"name\":\"shelves/science/books/cosmos\",\"otherShelfName\":\"shelves/fiction\"}'",
            "curl -s -X DELETE \(baseURL)/v1/shelves/fiction/books/neuromancer",
            "curl -s -X DELETE \(baseURL)/v1/shelves/poetry",
            "curl -s -i \(baseURL)/v1/shelves/fiction/books/missing",
            // EchoService
            "curl -s -i -X POST \(baseURL)/v1/echo \(json) -d "
                + "'{\"message\":\"hello\",\"responseHeaders\":[{\"key\":\"x-demo\",\"value\":\"yes\"}]}'",
            "curl -s \(baseURL)/v1/echo/hello",
            "curl -s -i -X POST \(baseURL)/v1/echo \(json) -d '{\"message\":\"boom\",\"failCode\":5}'",
            "curl -s -N '\(baseURL)/v1/echo:expand?message=tick&count=3&intervalMs=500'",
            "curl -s -N -X POST \(baseURL)/v1/echo:expand \(json) -d '{\"message\":\"tock\",\"count\":2}'",
        ]
    }
}
