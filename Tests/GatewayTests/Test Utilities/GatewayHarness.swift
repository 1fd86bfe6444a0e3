import DemoServices
import Foundation
import Gateway
import PorticoTestSupport
import Logging

/// A gateway on 127.0.0.1 port 0 in front of real demo gRPC backends, for end-to-end tests.
final class GatewayHarness {
    let server: GatewayServer
    let address: SocketAddressText
    let adminAddress: SocketAddressText
    private(set) var backends: [RunningDemoBackend]

    /// Starts `echo` echo backends and `library` library backends (names `echo-1`, …), then the gateway.
    ///
    /// - Parameters:
    ///   - configure: Changes the generated config before the gateway starts.
    static func start(
        echo: Int = 1, library: Int = 1, logger: Logger = Logger(label: "portico-test"),
        configure: (inout GatewayConfig) -> Void = { _ in }
    ) async throws -> GatewayHarness {
        var backends: [RunningDemoBackend] = []
        let store = LibraryStore()
        for index in 0..<echo {
            backends.append(try await DemoBackend.start(kind: .echo, name: "echo-\(index + 1)"))
        }
        for index in 0..<library {
            backends.append(try await DemoBackend.start(kind: .library, name: "library-\(index + 1)", libraryStore: store))
        }
        var config = GatewayConfig(
            listen: SocketAddressText(host: "127.0.0.1", port: 0), admin: SocketAddressText(host: "127.0.0.1", port: 0),
            eventLoops: 2)
        for kind in DemoBackend.Kind.allCases {
            let instances = backends.filter { $0.kind == kind }
            guard !instances.isEmpty else { continue }
            config.backends.append(
                GatewayConfig.Backend(
                    name: kind.rawValue, descriptorFiles: [DemoBackend.descriptorSetURL(for: kind).path],
                    endpoints: instances.map { SocketAddressText(host: $0.host, port: $0.port) }))
        }
        configure(&config)
        let server = try GatewayServer(config: config, logger: logger)
        let bound = try await server.start()
        return GatewayHarness(server: server, address: bound.gateway, adminAddress: bound.admin, backends: backends)
    }

    private init(server: GatewayServer, address: SocketAddressText, adminAddress: SocketAddressText, backends: [RunningDemoBackend]) {
        self.server = server
        self.address = address
        self.adminAddress = adminAddress
        self.backends = backends
    }

    var baseURL: String { "http://\(address)" }

    func client(_ version: CurlClient.HTTPVersion = .http1) -> CurlClient {
        CurlClient(baseURL: baseURL, version: version)
    }

    func backend(named name: String) -> RunningDemoBackend {
        backends.first { $0.name == name }!
    }

    /// Stops the gateway and every backend still running.
    func stop() async {
        await server.stop()
        for backend in backends { await backend.stop(gracePeriod: .seconds(5)) }
    }
}

/// Runs `body` with a started harness and always stops it afterwards.
func withGateway<T>(
    echo: Int = 1, library: Int = 1, logger: Logger = Logger(label: "portico-test"),
    configure: (inout GatewayConfig) -> Void = { _ in }, _ body: (GatewayHarness) async throws -> T
) async throws -> T {
    let harness = try await GatewayHarness.start(echo: echo, library: library, logger: logger, configure: configure)
    do {
        let result = try await body(harness)
        await harness.stop()
        return result
    } catch {
        await harness.stop()
        throw error
    }
}

extension GatewayConfig {
    /// Changes the backend called `name`.
    mutating func update(backend name: String, _ change: (inout Backend) -> Void) {
        guard let index = backends.firstIndex(where: { $0.name == name }) else { return }
        change(&backends[index])
    }
}
