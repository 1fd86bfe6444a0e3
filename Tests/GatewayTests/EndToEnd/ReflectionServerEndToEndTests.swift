import Discovery
import Foundation
import NIOPosix
import PorticoTestSupport
import Testing

@testable import Gateway

/// The gateway's own gRPC server reflection, over a socket, with every backend's services: read by grpcio's
/// reflection client (as `grpcurl` or a Python tool would) and by the gateway's own reflection client.
@Suite("Aggregated server reflection served by the gateway")
struct ReflectionServerEndToEndTests {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("helpers/reflection_list_client.py").path

    /// The demo's echo and library backends, and a third backend (no pods) from the raw_echo test schema.
    static func withThreeBackends(_ body: (GatewayHarness) async throws -> Void) async throws {
        let rawEcho = try #require(
            Bundle.module.url(forResource: "raw_echo.pb", withExtension: nil, subdirectory: "Resources"))
        try await withGateway(
            echo: 1, library: 1,
            configure: { config in
                config.backends.append(GatewayConfig.Backend(name: "raw", descriptorFiles: [rawEcho.path]))
            }, body)
    }

    static let allServices = [
        "echo.Echo", "echo.Files", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection",
        "portico.demo.echo.v1.EchoService", "portico.demo.library.v1.LibraryService",
    ]

    /// Runs the Python client and returns its JSON.
    static func runClient(_ gateway: GatewayHarness, _ arguments: [String]) async throws -> [String: Any] {
        let output = try await HelperProcess.run(
            "/usr/bin/env", ["python3", script, "\(gateway.address)"] + arguments, timeout: 60)
        #expect(output.status == 0, "\(output.standardError)")
        let object = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8))
        return try #require(object as? [String: Any], "\(output.standardOutput)\(output.standardError)")
    }

    @Test("grpcio's reflection client lists every backend's services and describes their methods' types")
    func listAndDescribe() async throws {
        try await Self.withThreeBackends { gateway in
            let result = try await Self.runClient(
                gateway,
                [
                    "--describe", "portico.demo.echo.v1.EchoService.Echo", "--describe",
                    "portico.demo.library.v1.LibraryService.GetBook", "--describe", "echo.Files.Put",
                ])
            #expect(result["services"] as? [String] == Self.allServices)
            let described = try #require(result["described"] as? [String: [String: Any]])
            let echo = try #require(described["portico.demo.echo.v1.EchoService.Echo"])
            #expect(echo["input"] as? String == "portico.demo.echo.v1.EchoRequest")
            #expect(echo["output"] as? String == "portico.demo.echo.v1.EchoResponse")
            #expect((echo["input_fields"] as? [String])?.contains("message") == true)
            let library = try #require(described["portico.demo.library.v1.LibraryService.GetBook"])
            #expect(library["input"] as? String == "portico.demo.library.v1.GetBookRequest")
            #expect(library["input_fields"] as? [String] == ["name"])
            let upload = try #require(described["echo.Files.Put"])
            #expect(upload["input"] as? String == "echo.Upload")
            #expect(upload["output"] as? String == "google.api.HttpBody")
        }
    }

    @Test("A method described by reflection is called through the gateway with message classes built from it")
    func callThroughReflection() async throws {
        try await Self.withThreeBackends { gateway in
            let result = try await Self.runClient(
                gateway, ["--call", "portico.demo.echo.v1.EchoService.Echo", "--request", #"{"message": "reflected"}"#])
            let reply = try #require(result["reply"] as? [String: Any])
            #expect(reply["message"] as? String == "reflected")
            #expect(reply["servedBy"] as? String == "echo-1")
        }
    }

    @Test("One grpc.reflection.v1 stream answers question after question, each import once, NOT_FOUND in band")
    func v1Stream() async throws {
        try await Self.withThreeBackends { gateway in
            let result = try await Self.runClient(gateway, ["--v1-stream"])
            let v1 = try #require(result["v1"] as? [String: Any])
            #expect(v1["unknown_method"] as? String == "UNIMPLEMENTED")
            let answers = try #require(v1["answers"] as? [[String: Any]])
            try #require(answers.count == 7)
            #expect(answers.allSatisfy { $0["echoes_request"] as? Bool == true })
            #expect(answers[0]["valid_host"] as? String == "portico.test")
            #expect(answers[0]["services"] as? [String] == Self.allServices)
            #expect(
                answers[1]["files"] as? [String] == [
                    "demo/echo.proto", "google/api/annotations.proto", "google/api/http.proto",
                    "google/protobuf/descriptor.proto",
                ])
            // The same file again: only itself, its imports went on this stream already.
            #expect(answers[2]["files"] as? [String] == ["demo/echo.proto"])
            #expect(answers[3]["error_code"] as? Int == 5)
            #expect(answers[4]["base_type_name"] as? String == "google.protobuf.MethodOptions")
            #expect(answers[4]["numbers"] as? [Int] == [72_295_728])
            #expect(answers[5]["files"] as? [String] == ["google/api/annotations.proto"])
            #expect(answers[6]["files"] as? [String] == ["grpc/reflection/v1/reflection.proto"])
        }
    }

    @Test("The gateway's own reflection client reads the gateway as it reads a pod")
    func gatewaysOwnClient() async throws {
        try await Self.withThreeBackends { gateway in
            let client = ReflectionClient(config: .init(timeout: .seconds(10), maxMessageBytes: 16 << 20))
            let descriptors = try await client.fetchDescriptors(
                host: gateway.address.host, port: gateway.address.port,
                eventLoop: MultiThreadedEventLoopGroup.singleton.next())
            #expect(descriptors.version == .v1)
            #expect(Set(descriptors.services) == Set(Self.allServices.filter { !$0.hasPrefix("grpc.reflection.") }))
            let names = Set(descriptors.files.map(\.name))
            #expect(
                names.isSuperset(of: [
                    "demo/echo.proto", "demo/library.proto", "raw_echo.proto", "google/api/http.proto",
                ]))
        }
    }

    @Test("A backend described by its pods' reflection is listed and described once a pod has told its schema")
    func reflectionBackend() async throws {
        try await withGateway(
            echo: 1, library: 0,
            configure: { config in
                config.backends.append(ReflectionBackendEndToEndTests.reflectionBackend("notes", ports: []))
            }
        ) { gateway in
            let (pod, port) = try await ReflectionBackendEndToEndTests.startPod("onboarding/v1/notes.pb", version: "v1")
            defer { pod.stop() }
            ReflectionBackendEndToEndTests.podsChanged(gateway, backend: "notes", ports: [port])
            let client = ReflectionClient(config: .init(timeout: .seconds(10), maxMessageBytes: 16 << 20))
            let deadline = ContinuousClock.now + .seconds(60)
            var services: [String] = []
            while !services.contains("notes.v1.Notes"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(250))
                services = try await client.fetchDescriptors(
                    host: gateway.address.host, port: gateway.address.port,
                    eventLoop: MultiThreadedEventLoopGroup.singleton.next()
                ).services
            }
            #expect(Set(services) == ["notes.v1.Notes", "portico.demo.echo.v1.EchoService"])
            let result = try await Self.runClient(gateway, ["--describe", "notes.v1.Notes.GetNote"])
            let described = try #require(result["described"] as? [String: [String: Any]])
            #expect(described["notes.v1.Notes.GetNote"]?["input"] as? String == "notes.v1.GetNoteRequest")
        }
    }
}
