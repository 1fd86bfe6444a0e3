import ArgumentParser
import DemoServices
import Foundation
import Gateway
import Logging
import ServiceLifecycle
import UnixSignals

/// `portico demo-backend`: one demo gRPC server alone, for trying `portico serve` or benchmarking the
/// gateway in its own process.
struct DemoBackendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-backend",
        abstract: "Run one demo gRPC backend (library or echo) alone, until Ctrl-C.",
        discussion: "Its descriptor set is Sources/DemoServices/Descriptors/<kind>.pb in the source tree.")

    @Option(name: .long, help: "Which demo service: library or echo.")
    var kind: DemoBackend.Kind

    @Option(name: .long, help: "Where it listens (an IPv4 address and a port).")
    var listen: String = "127.0.0.1:50051"

    @Option(name: .long, help: "The instance name echo replies carry in servedBy.")
    var name: String?

    func run() async throws {
        let logger = PorticoLogging.bootstrap(level: .info)
        guard let address = SocketAddressText(listen) else { throw ValidationError("--listen takes host:port") }
        let backend = try await DemoBackend.start(
            kind: kind, name: name ?? "\(kind.rawValue)-1", host: address.host, port: address.port)
        FileHandle.standardOutput.write(
            Data("demo backend \(backend.name) serves \(kind.serviceName) on \(backend.host):\(backend.port)\n".utf8))
        let group = ServiceGroup(
            services: [ShutdownWaiter()], gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [],
            logger: logger)
        try await group.run()
        await backend.stop(gracePeriod: .seconds(1))
    }
}

extension DemoBackend.Kind: ExpressibleByArgument {}
