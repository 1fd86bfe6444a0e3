import DemoServices
import Foundation
import Gateway
import Testing

@Suite("Route table built from several backends' descriptor sets")
struct RouteListingTests {
    static func backend(_ name: String, _ kind: DemoBackend.Kind, services: [String] = []) -> GatewayConfig.Backend {
        GatewayConfig.Backend(
            name: name, descriptorFiles: [DemoBackend.descriptorSetURL(for: kind).path], services: services,
            endpoints: [SocketAddressText(host: "127.0.0.1", port: 1)])
    }

    @Test("lists every binding, the unannotated methods' POST routes, with gRPC method and backend")
    func listing() throws {
        let config = GatewayConfig(backends: [Self.backend("library", .library), Self.backend("echo", .echo)])
        let lines = try RouteListing(config: config).text.split(separator: "\n").map { line in
            line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        }
        #expect(lines.first == ["METHOD", "PATH", "GRPC", "METHOD", "BACKEND"])
        let rows = Set(lines.dropFirst().map { $0.joined(separator: " ") })
        #expect(rows.contains("GET /v1/{name=shelves/*/books/*} portico.demo.library.v1.LibraryService.GetBook library"))
        #expect(rows.contains("PUT /v1/{book.name=shelves/*/books/*} portico.demo.library.v1.LibraryService.UpdateBook library"))
        #expect(rows.contains("POST /portico.demo.library.v1.LibraryService/MoveBook portico.demo.library.v1.LibraryService.MoveBook library"))
        #expect(rows.contains("GET /v1/echo/{message} portico.demo.echo.v1.EchoService.Echo echo"))
        #expect(rows.contains("POST /v1/echo:expand portico.demo.echo.v1.EchoService.Expand echo"))
        #expect(rows.contains("POST /portico.demo.echo.v1.EchoService/Chat portico.demo.echo.v1.EchoService.Chat echo"))
        #expect(rows.count == 18)
    }

    @Test("a service served by two backends stays with the first; the listing names the second's claim left out")
    func serviceInTwoBackends() throws {
        let config = GatewayConfig(backends: [Self.backend("echo-a", .echo), Self.backend("echo-b", .echo)])
        let text = try RouteListing(config: config).text
        let (table, leftOut) = try #require(text.split(separator: "Left out", maxSplits: 1).pairs)
        #expect(table.contains("portico.demo.echo.v1.EchoService.Echo ") && table.contains(" echo-a\n"))
        #expect(!table.contains("echo-b"))
        #expect(
            leftOut.contains("service portico.demo.echo.v1.EchoService of backend echo-b is served by backend echo-a"))
    }

    @Test("`services` narrows a backend; an unknown service name is an error naming what exists")
    func servicesFilter() throws {
        let narrowed = GatewayConfig(backends: [Self.backend("echo", .echo, services: ["portico.demo.echo.v1.EchoService"])])
        #expect(try RouteListing(config: narrowed).text.contains("EchoService"))
        let wrong = GatewayConfig(backends: [Self.backend("echo", .echo, services: ["no.Such"])])
        #expect {
            _ = try RouteListing(config: wrong)
        } throws: { error in
            "\(error)".contains("no.Such") && "\(error)".contains("portico.demo.echo.v1.EchoService")
        }
    }

    @Test("an unreadable descriptor file is an error naming the file and key")
    func missingDescriptor() {
        var backend = Self.backend("echo", .echo)
        backend.descriptorFiles = ["/nonexistent/echo.pb"]
        #expect {
            _ = try RouteListing(config: GatewayConfig(backends: [backend]))
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            return error.message.contains("/nonexistent/echo.pb: No such file or directory")
                && error.key == "backends[0].descriptors"
        }
    }
}

extension Array where Element == Substring {
    /// The first two elements, when there are exactly two.
    fileprivate var pairs: (Substring, Substring)? { count == 2 ? (self[0], self[1]) : nil }
}
