import ArgumentParser
import Gateway

/// `portico routes`: prints the route table a config produces, or the conflicts that stop it.
struct Routes: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the route table (HTTP method, path template, gRPC method, backend) and exit.",
        discussion: "Exits non-zero when the config, a descriptor set or two conflicting routes stop the gateway from starting.")

    @Option(name: .long, help: "The YAML config file.")
    var config: String

    func run() throws {
        let gatewayConfig = try GatewayConfig.load(file: config)
        let table = try RouteListing(config: gatewayConfig)
        print(table.text, terminator: "")
    }
}
