import DemoServices
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import SwiftProtobuf
import Testing

@Suite("DemoBackend")
struct DemoBackendTests {
    typealias Echo = Portico_Demo_Echo_V1_EchoService.Client<HTTP2ClientTransport.Posix>

    @Test("The descriptor sets load and hold the services with their imports", arguments: DemoBackend.Kind.allCases)
    func descriptorSet(kind: DemoBackend.Kind) throws {
        let set = try DemoRoute.descriptorSet(kind)
        let names = Set(set.file.map(\.name))
        #expect(
            names.isSuperset(of: [
                "google/api/http.proto", "google/api/annotations.proto",
                "google/protobuf/descriptor.proto",
            ]))
        let file = try #require(try DemoRoute.demoFile(kind))
        let services = file.service.map { "\(file.package).\($0.name)" }
        #expect(services == [kind.serviceName])
    }

    @Test("The library's methods carry the documented HTTP rules; MoveBook has none")
    func libraryRoutes() throws {
        let service = "portico.demo.library.v1.LibraryService"
        let expected: Set<DemoRoute> = [
            DemoRoute(verb: "GET", template: "/v1/shelves", body: "", service: service, method: "ListShelves"),
            DemoRoute(verb: "POST", template: "/v1/shelves", body: "shelf", service: service, method: "CreateShelf"),
            DemoRoute(verb: "GET", template: "/v1/{name=shelves/*}", body: "", service: service, method: "GetShelf"),
            DemoRoute(
                verb: "DELETE", template: "/v1/{name=shelves/*}", body: "", service: service, method: "DeleteShelf"),
            DemoRoute(
                verb: "GET", template: "/v1/{parent=shelves/*}/books", body: "", service: service, method: "ListBooks"),
            DemoRoute(
                verb: "POST", template: "/v1/{parent=shelves/*}/books", body: "book", service: service,
                method: "CreateBook"),
            DemoRoute(
                verb: "GET", template: "/v1/{name=shelves/*/books/*}", body: "", service: service, method: "GetBook"),
            DemoRoute(
                verb: "PATCH", template: "/v1/{book.name=shelves/*/books/*}", body: "book", service: service,
                method: "UpdateBook"),
            DemoRoute(
                verb: "PUT", template: "/v1/{book.name=shelves/*/books/*}", body: "book", service: service,
                method: "UpdateBook"),
            DemoRoute(
                verb: "DELETE", template: "/v1/{name=shelves/*/books/*}", body: "", service: service,
                method: "DeleteBook"),
            DemoRoute(
                verb: "POST", template: "/v1/{name=shelves/*/books/*}:checkout", body: "*", service: service,
                method: "CheckoutBook"),
            DemoRoute(verb: "POST", template: "/\(service)/MoveBook", body: "*", service: service, method: "MoveBook"),
        ]
        let routes = try DemoRoute.routes(.library)
        #expect(Set(routes) == expected)
        #expect(routes.count == expected.count)
    }

    @Test("Echo and Expand have a POST and a GET binding; Collect and Chat no rule")
    func echoRoutes() throws {
        let service = "portico.demo.echo.v1.EchoService"
        let expected: Set<DemoRoute> = [
            DemoRoute(verb: "POST", template: "/v1/echo", body: "*", service: service, method: "Echo"),
            DemoRoute(verb: "GET", template: "/v1/echo/{message}", body: "", service: service, method: "Echo"),
            DemoRoute(verb: "GET", template: "/v1/echo:expand", body: "", service: service, method: "Expand"),
            DemoRoute(verb: "POST", template: "/v1/echo:expand", body: "*", service: service, method: "Expand"),
            DemoRoute(verb: "POST", template: "/\(service)/Collect", body: "*", service: service, method: "Collect"),
            DemoRoute(verb: "POST", template: "/\(service)/Chat", body: "*", service: service, method: "Chat"),
        ]
        #expect(Set(try DemoRoute.routes(.echo)) == expected)
        let file = try #require(try DemoRoute.demoFile(.echo))
        let streaming = file.service[0].method.map { "\($0.name):\($0.clientStreaming):\($0.serverStreaming)" }
        #expect(streaming == ["Echo:false:false", "Expand:false:true", "Collect:true:false", "Chat:true:true"])
    }

    @Test("A backend listens on the port it reports and advertises the configured MAX_CONCURRENT_STREAMS")
    func maxConcurrentStreams() async throws {
        try await withBackend(.echo, maxConcurrentStreams: 1) { backend in
            #expect(backend.host == "127.0.0.1" && backend.port > 0 && backend.kind == .echo)
            let settings = try HTTP2SettingsProbe.settings(host: backend.host, port: backend.port)
            #expect(settings[HTTP2SettingsProbe.maxConcurrentStreams] == 1)
        }
        try await withBackend(.echo) { backend in
            let settings = try HTTP2SettingsProbe.settings(host: backend.host, port: backend.port)
            #expect(settings[HTTP2SettingsProbe.maxConcurrentStreams] != 1)
        }
    }

    @Test("Starting on a port in use fails")
    func portInUse() async throws {
        try await withBackend(.echo) { backend in
            await #expect(throws: (any Error).self) {
                let second = try await DemoBackend.start(kind: .echo, name: "second", port: backend.port)
                await second.stop()
            }
        }
    }

    @Test("stop lets an in-flight call finish, then frees the port and refuses new calls")
    func gracefulStop() async throws {
        let backend = try await DemoBackend.start(kind: .echo, name: "echo-1")
        try await withClient(to: backend) { client in
            let echo = Echo(wrapping: client)
            var request = Portico_Demo_Echo_V1_ExpandRequest()
            request.count = 3
            request.intervalMs = 100
            let received = try await echo.expand(request) { response in
                var iterator = response.messages.makeAsyncIterator()
                // The first reply proves the call is in flight before the server is told to stop.
                guard try await iterator.next() != nil else { return 0 }
                let stopping = Task { await backend.stop() }
                var received = 1
                while try await iterator.next() != nil { received += 1 }
                await stopping.value
                return received
            }
            #expect(received == 3)
            #expect(try await rpcErrorCode { _ = try await echo.echo(.init()) } == .unavailable)
        }
        // The listening socket is closed: the same port can be bound again.
        let again = try await DemoBackend.start(kind: .echo, name: "echo-1", port: backend.port)
        #expect(again.port == backend.port)
        await again.stop()
    }
}
