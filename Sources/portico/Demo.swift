import ArgumentParser
import DemoServices
import Foundation
import Gateway
import Logging
import ServiceLifecycle
import UnixSignals

/// `portico demo`: the gateway in front of built-in demo backends, with no cluster and no config file.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway in front of built-in demo gRPC backends and print curl commands to try.",
        discussion: """
            Starts two instances each of a library service (shelves and books) and an echo service, written \
            with grpc-swift-2, on free loopback ports, and the gateway in front of them with static endpoints \
            and round-robin balancing. Stops on Ctrl-C.
            """)

    @Option(name: .long, help: "Where the gateway listens (HTTP/1.1 and h2c).")
    var listen: String = "127.0.0.1:8080"

    @Option(name: .long, help: "Where the admin endpoints (/healthz, /readyz, /metrics, /routes, /endpoints) listen.")
    var admin: String = "127.0.0.1:9901"

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        let logger = PorticoLogging.bootstrap(level: logLevel)
        guard let listenAddress = SocketAddressText(listen), let adminAddress = SocketAddressText(admin) else {
            throw ValidationError("--listen and --admin take host:port")
        }
        let store = LibraryStore()
        var backends: [RunningDemoBackend] = []
        for (kind, index) in [(DemoBackend.Kind.library, 1), (.library, 2), (.echo, 1), (.echo, 2)] {
            backends.append(
                try await DemoBackend.start(kind: kind, name: "\(kind.rawValue)-\(index)", libraryStore: store))
        }
        var config = GatewayConfig(listen: listenAddress, admin: adminAddress)
        config.backends = DemoBackend.Kind.allCases.map { kind in
            GatewayConfig.Backend(
                name: kind.rawValue,
                descriptorFiles: [DemoBackend.descriptorSetURL(for: kind).path],
                endpoints: backends.filter { $0.kind == kind }.map { SocketAddressText(host: $0.host, port: $0.port) })
        }
        let server = try GatewayServer(config: config, logger: logger)
        let bound = try await server.start()
        for backend in backends {
            logger.info("demo backend \(backend.name) serves \(backend.kind.serviceName) on \(backend.host):\(backend.port)")
        }
        var text = "\nPortico demo: the gateway listens on \(bound.gateway), admin on \(bound.admin). Try:\n\n"
        for command in DemoCurlCommands.commands(baseURL: "http://\(bound.gateway)") { text += "  \(command)\n" }
        text += "\nPress Ctrl-C to stop.\n\n"
        // Written at once, unbuffered, so that the commands show even when the output is piped.
        FileHandle.standardOutput.write(Data(text.utf8))
        let group = ServiceGroup(
            services: [ShutdownWaiter()], gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [],
            logger: logger)
        try await group.run()
        await server.stop()
        for backend in backends { await backend.stop(gracePeriod: .seconds(1)) }
    }
}

/// A service that only waits for the service group's graceful shutdown: a command that runs other things
/// keeps running until SIGTERM or SIGINT.
struct ShutdownWaiter: Service {
    func run() async throws {
        try? await gracefulShutdown()
    }
}
