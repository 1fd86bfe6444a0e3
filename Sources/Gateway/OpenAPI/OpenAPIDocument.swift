/// The OpenAPI 3.1 description of the JSON API a runtime serves (`GET /openapi.json` on the admin port): one
/// operation per route of its route table, with path and query parameters from the HTTP rules, request and reply
/// bodies as JSON Schemas of the proto3 JSON Portico reads and prints (under each backend's `json` options), the
/// JSON error body as every operation's `default` reply, and the .proto comments as descriptions when the
/// descriptor sets carry source info (`protoc --include_source_info`).
///
/// Client-streaming methods are left out: they are served over gRPC only. Routes whose HTTP method OpenAPI
/// cannot name (a `custom` rule's kind other than HEAD, OPTIONS or TRACE) are left out too.
package struct OpenAPIDocument: Sendable {
    /// The document as compact JSON.
    package let json: [UInt8]

    /// Describes the routes of `runtime`.
    ///
    /// - Parameters:
    ///   - runtime: The runtime whose route table is described (the current one: reloads swap it).
    ///   - backend: Describe only the routes of the backend with this name; nil for every backend.
    ///   - serverURL: The base URL of the gateway's JSON listener (`servers`), if known; the admin port serving
    ///     the document is not it.
    /// - Throws: `GatewayError` with code `notFound` when no backend is called `backend`.
    package init(runtime: GatewayRuntime, backend: String? = nil, serverURL: String? = nil) throws(GatewayError) {
        if let backend, !runtime.backends.contains(where: { $0.name == backend }) {
            throw GatewayError(.notFound, "no backend named \(backend)")
        }
        let routes = runtime.routes.routes.filter { backend == nil || $0.target.backend.name == backend }
        var builder = Builder(services: Set(routes.map { Builder.service(of: $0.target.method) }))
        for route in routes {
            let target = route.target
            let options = TranscodingOptions(
                json: target.backend.config.json ?? runtime.config.json, maxDepth: runtime.config.limits.maxJSONDepth)
            builder.add(
                Builder.Route(
                    httpMethod: route.httpMethod, template: route.template, method: target.method,
                    binding: target.binding, backend: target.backend.name, style: SchemaCatalog.Style(options)))
        }
        let title = backend.map { "Portico: backend \($0)" } ?? "Portico"
        var json: [UInt8] = []
        builder.document(title: title, serverURL: serverURL).write(to: &json)
        self.json = json
    }
}
