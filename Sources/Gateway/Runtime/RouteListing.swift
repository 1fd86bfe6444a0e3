import Foundation

/// The route table of a config as text: one line per route with its HTTP method, path template, gRPC
/// method and backend, in the table's order.
public struct RouteListing: Sendable {
    /// The listing, one route per line, columns aligned.
    public let text: String

    /// Builds the route table of `config`.
    ///
    /// - Throws: `ConfigError` when a descriptor set cannot be loaded or two routes conflict.
    public init(config: GatewayConfig) throws(ConfigError) {
        let runtime = try GatewayRuntime(config: config)
        let rows = [["METHOD", "PATH", "GRPC METHOD", "BACKEND"]]
            + runtime.routes.routes.map { route in
                [route.httpMethod, route.template.description, route.target.method.fullName, route.target.backend.name]
            }
        let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
        text = rows.map { row in
            row.enumerated().map { column, cell in
                column == 3 ? cell : cell.padding(toLength: widths[column] + 2, withPad: " ", startingAt: 0)
            }.joined()
        }.joined(separator: "\n") + "\n"
    }
}
