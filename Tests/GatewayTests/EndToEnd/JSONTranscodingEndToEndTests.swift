import Foundation
import Gateway
import PorticoTestSupport
import Testing

@Suite("JSON requests through the gateway to real gRPC backends")
struct JSONTranscodingEndToEndTests {
    static let versions: [CurlClient.HTTPVersion] = [.http1, .h2c]

    @Test("GET with a nested path template and 64-bit, enum, bytes, map and nested fields in the reply", arguments: versions)
    func getBook(version: CurlClient.HTTPVersion) async throws {
        try await withGateway { gateway in
            let reply = try await gateway.client(version).send("GET", "/v1/shelves/fiction/books/dune")
            #expect(reply.status == 200, "\(reply)")
            #expect(reply.header("content-type") == "application/json")
            let book = try reply.json
            #expect(book["name"] as? String == "shelves/fiction/books/dune")
            #expect(book["title"] as? String == "Dune")
            #expect(book["pageCount"] as? String == "412")
            #expect(book["genre"] as? String == "GENRE_SCIENCE_FICTION")
            #expect(book["coverThumbnail"] as? String == "R0lGODlh")
            #expect((book["labels"] as? [String: String])?["series"] == "dune")
            #expect((book["publisher"] as? [String: Any])?["foundedYear"] as? Int == 1904)
            #expect(book["authors"] as? [String] == ["Frank Herbert"])
        }
    }

    @Test("query parameters fill the request: page size, enum by name, percent-encoded strings", arguments: versions)
    func listWithQuery(version: CurlClient.HTTPVersion) async throws {
        try await withGateway { gateway in
            let client = gateway.client(version)
            let fantasy = try await client.send("GET", "/v1/shelves/fiction/books?genre=GENRE_FANTASY&author=Neil%20Gaiman")
            #expect(fantasy.status == 200, "\(fantasy)")
            let titles = (try fantasy.json["books"] as? [[String: Any]])?.compactMap { $0["title"] as? String }
            #expect(titles == ["Good Omens"])
            let page = try await client.send("GET", "/v1/shelves/fiction/books?pageSize=2")
            #expect((try page.json["books"] as? [Any])?.count == 2)
            #expect(try page.json["nextPageToken"] as? String != nil)
        }
    }

    @Test("create, update (PATCH and PUT bindings), custom verb and delete", arguments: versions)
    func crud(version: CurlClient.HTTPVersion) async throws {
        try await withGateway { gateway in
            let client = gateway.client(version)
            let created = try await client.send(
                "POST", "/v1/shelves/fiction/books?bookId=neuromancer",
                body: #"{"title":"Neuromancer","authors":["William Gibson"],"pageCount":"271","genre":"GENRE_SCIENCE_FICTION","rating":3.9}"#)
            #expect(created.status == 200, "\(created)")
            #expect(try created.json["name"] as? String == "shelves/fiction/books/neuromancer")
            #expect(try created.json["pageCount"] as? String == "271")

            let patched = try await client.send(
                "PATCH", "/v1/shelves/fiction/books/neuromancer", body: #"{"title":"Neuromancer (2nd ed.)"}"#)
            #expect(patched.status == 200, "\(patched)")
            #expect(try patched.json["title"] as? String == "Neuromancer (2nd ed.)")

            let put = try await client.send("PUT", "/v1/shelves/fiction/books/neuromancer", body: #"{"title":"Neuromancer","page_count":272}"#)
            #expect(put.status == 200, "\(put)")

            let checkout = try await client.send("POST", "/v1/shelves/fiction/books/neuromancer:checkout", body: #"{"borrower":"ada"}"#)
            #expect(try checkout.json["borrower"] as? String == "ada")
            #expect(checkout.status == 200, "\(checkout)")

            let deleted = try await client.send("DELETE", "/v1/shelves/fiction/books/neuromancer")
            #expect(deleted.status == 200, "\(deleted)")
            #expect(deleted.body == "{}")
            let gone = try await client.send("GET", "/v1/shelves/fiction/books/neuromancer")
            #expect(gone.status == 404, "\(gone)")
            #expect(try gone.json["code"] as? Int == 5)
        }
    }

    @Test("an unannotated method is reachable as POST /package.Service/Method", arguments: versions)
    func unannotatedMethod(version: CurlClient.HTTPVersion) async throws {
        try await withGateway { gateway in
            let moved = try await gateway.client(version).send(
                "POST", "/portico.demo.library.v1.LibraryService/MoveBook",
                body: #"{"name":"shelves/fiction/books/dune","otherShelfName":"shelves/science"}"#)
            #expect(moved.status == 200, "\(moved)")
            #expect(try moved.json["name"] as? String == "shelves/science/books/dune")
        }
    }

    @Test("path variables are percent-decoded and path values win over body values", arguments: versions)
    func pathVariables(version: CurlClient.HTTPVersion) async throws {
        try await withGateway { gateway in
            let client = gateway.client(version)
            let echoed = try await client.send("GET", "/v1/echo/hello%20w%C3%B6rld%2Fx")
            #expect(echoed.status == 200, "\(echoed)")
            #expect(try echoed.json["message"] as? String == "hello wörld/x")
        }
    }

    @Test("one gateway serves several services from several descriptor sets, balancing round-robin")
    func severalServices() async throws {
        try await withGateway(echo: 2, library: 1) { gateway in
            let client = gateway.client()
            var servedBy: [String] = []
            for _ in 0..<4 {
                let reply = try await client.send("POST", "/v1/echo", body: #"{"message":"hi"}"#)
                #expect(reply.status == 200, "\(reply)")
                servedBy.append(try reply.json["servedBy"] as? String ?? "")
            }
            #expect(Set(servedBy) == ["echo-1", "echo-2"])
            #expect(try await client.send("GET", "/v1/shelves").status == 200)
        }
    }
}
