import ArgumentParser
import Discovery
import Foundation
import Gateway
import Logging
import ServiceLifecycle
import UnixSignals

/// `portico serve`: runs the gateway from a config file until SIGTERM or SIGINT (which drain it); SIGHUP or a
/// change of the config or descriptor files reloads them.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the gateway with a config file.",
        discussion: "Every config key, with its default, is described in the README.")

    @Option(name: .long, help: "The YAML config file.")
    var config: String

    @Option(
        name: .long,
        help: "A kubeconfig file for Kubernetes discovery, or several separated by ':'; overrides kubernetes.kubeconfig. Without either, the KUBECONFIG environment variable is used when set, as kubectl does, else the pod's in-cluster credentials.")
    var kubeconfig: String?

    @Option(name: .long, help: "The kubeconfig context to use; overrides kubernetes.context.")
    var context: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        let logger = PorticoLogging.bootstrap(level: logLevel)
        var gatewayConfig = try GatewayConfig.load(file: config)
        if let kubeconfig {
            gatewayConfig.kubernetes.kubeconfig = kubeconfig
        } else if gatewayConfig.kubernetes.kubeconfig == nil,
            let environment = ProcessInfo.processInfo.environment["KUBECONFIG"], !environment.isEmpty
        {
            gatewayConfig.kubernetes.kubeconfig = environment
        }
        if let context { gatewayConfig.kubernetes.context = context }
        let server = try GatewayServer(config: gatewayConfig, logger: logger)
        let reloader = ConfigReloader(server: server, configFile: config, logger: logger)
        // Graceful shutdown goes in reverse order: the reloader stops first, then the gateway drains.
        let group = ServiceGroup(
            services: [server, reloader], gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [],
            logger: logger)
        try await group.run()
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
