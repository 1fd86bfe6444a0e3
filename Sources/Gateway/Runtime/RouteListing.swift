import Foundation

/// The route table of a config as text: one line per route with its HTTP method, path template, gRPC
/// method and backend, in the table's order; then the routes and services left out because an earlier
/// backend claims them.
public struct RouteListing: Sendable {
    /// The listing, one route per line, columns aligned.
    public private(set) var text: String

    /// Builds the route table of `config`.
    ///
    /// - Throws: `ConfigError` when a descriptor set cannot be loaded.
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
        let leftOut =
            runtime.routes.leftOut.map { "\($0.conflict)" }
            + runtime.serviceConflicts.map {
                "service \($0.service) of backend \($0.leftOutBackend) is served by backend \($0.keptBackend)"
            }
        if !leftOut.isEmpty {
            text += "\nLeft out (an earlier backend serves them):\n" + leftOut.map { "  \($0)\n" }.joined()
        }
    }
}
