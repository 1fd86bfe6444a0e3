import DemoServices
import Foundation
import Gateway
import Logging
import NIOCore
import NIOPosix
import PorticoTestSupport
import Testing

/// Every error that stops the gateway at start-up, in the exact words a person reads.
@Suite("Start-up errors, word for word")
struct StartupErrorTests {
    /// The config loaded from `yaml`, as `bad.yaml` in `folder`.
    static func load(_ yaml: String, folder: String = "/") throws(ConfigError) -> GatewayConfig {
        try GatewayConfig(yaml: yaml, file: "bad.yaml", relativeTo: folder)
    }

    static func loadError(_ yaml: String) -> String? {
        do {
            _ = try load(yaml)
            return nil
        } catch {
            return error.description
        }
    }

    @Test(
        "config values refused with the key, the line and what to write instead",
        arguments: [
            (
                "listen: localhost:99999\nbackends: []",
                "bad.yaml:1: listen: port 99999 is out of range: a port is between 0 and 65535"
            ),
            (
                "listen: nowhere\nbackends: []",
                "bad.yaml:1: listen: expected host:port, such as 127.0.0.1:8080 or [::1]:8080"
            ),
            (
                "backends:\n  - {name: a, descriptors: [a.pb], endpoints: [\"x:1\"], timeout: 0s}",
                "bad.yaml:2: backends[0].timeout: must be longer than 0s"
            ),
            (
                "idleTimeout: -5s\nbackends:\n  - {name: a, descriptors: [a.pb], endpoints: [\"x:1\"]}",
                "bad.yaml:1: idleTimeout: must not be negative"
            ),
            (
                "backends:\n  - {name: a, descriptors: [a.pb], endpoints: [\"x:1\"], connectTimeout: soon}",
                "bad.yaml:2: backends[0].connectTimeout: expected a duration such as 30s, 250ms, 1m30s or 2h"
            ),
            (
                "backends:\n  - {name: a, descriptors: [a.pb]}",
                "bad.yaml:2: backends[0]: backend a says nowhere its pods are: give `endpoints` (host:port of each pod) "
                    + "or `kubernetes` (a Service: {service: NAME, port: PORT})"
            ),
            (
                "backends:\n  - name: a\n    descriptors: [a.pb]\n    endpoints: [\"x:1\"]\n    kubernetes: {service: a, port: grpc}",
                "bad.yaml:4: backends[0].endpoints: backend a has both `endpoints` and `kubernetes`: keep one (static pods, "
                    + "or a Service's)"
            ),
        ])
    func configValues(yaml: String, expected: String) {
        #expect(Self.loadError(yaml) == expected)
    }

    @Test(
        "compound durations are read as Go and Envoy write them",
        arguments: [
            ("1m30s", Duration.seconds(90)), ("1h5m", .seconds(3900)), ("2s500ms", .milliseconds(2500)),
            ("1.5s", .milliseconds(1500)), ("250ms", .milliseconds(250)), ("45", .seconds(45)), ("2h", .seconds(7200)),
        ])
    func compoundDurations(text: String, expected: Duration) throws {
        let config = try Self.load(
            "idleTimeout: \(text)\nbackends:\n  - {name: a, descriptors: [a.pb], endpoints: [\"x:1\"]}")
        #expect(config.limits.idleTimeout == expected)
    }

    @Test("descriptor problems name the config file, the line, the file and the fix")
    func descriptorErrors() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "portico-startup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("not a descriptor set".utf8).write(to: folder.appendingPathComponent("notes.pb"))

        func runtimeError(_ yaml: String) throws -> String? {
            let config = try GatewayConfig(yaml: yaml, file: "portico.yaml", relativeTo: folder.path)
            do {
                _ = try GatewayRuntime(config: config)
                return nil
            } catch {
                return error.description
            }
        }

        #expect(
            try runtimeError("backends:\n  - name: a\n    descriptors: [missing.pb]\n    endpoints: [\"x:1\"]")
                == "portico.yaml:3: backends[0].descriptors: cannot read the descriptor set "
                + "\(folder.path)/missing.pb: No such file or directory")
        #expect(
            try runtimeError("backends:\n  - name: a\n    descriptors: [notes.pb]\n    endpoints: [\"x:1\"]")
                == "portico.yaml:3: backends[0].descriptors: \(folder.path)/notes.pb is not a FileDescriptorSet (a "
                + "binary protobuf file); make one with `protoc --include_imports --descriptor_set_out=notes.pb "
                + "-I PROTO_DIR your/service.proto`")
    }

    @Test("a listener that cannot bind names its key, its address and the system's reason")
    func bindFailure() async throws {
        let taken = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        defer { taken.close(promise: nil) }
        let port = try #require(taken.localAddress?.port)
        var config = try GatewayConfig(
            yaml: "listen: 127.0.0.1:0\nadmin: 127.0.0.1:\(port)\nbackends:\n"
                + "  - {name: echo, descriptors: [\(DemoBackend.descriptorSetURL(for: .echo).path)], endpoints: [\"127.0.0.1:1\"]}",
            file: "portico.yaml", relativeTo: "/")
        config.eventLoops = 1
        let server = try GatewayServer(config: config, logger: Logger(label: "test"))
        await #expect {
            try await server.start()
        } throws: { error in
            "\(error)" == "cannot listen on 127.0.0.1:\(port) (`admin` in the config): Address already in use"
        }
        await server.stop()
    }
}
