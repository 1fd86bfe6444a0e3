extension OpenAPIDocument {
    /// Collects the operations of the routes, the tags of their services and the schemas they need.
    struct Builder {
        /// What the document needs to know of one route.
        struct Route {
            var httpMethod: String
            var template: PathTemplate
            var method: MethodDescriptor
            /// Nil for the `POST /pkg.Service/Method` route of an unannotated method.
            var binding: HTTPBinding?
            var backend: String
            var style: SchemaCatalog.Style
        }

        /// The HTTP methods an OpenAPI path item has a field for.
        private static let operationKeys: Set<String> = [
            "get", "put", "post", "delete", "options", "head", "patch", "trace",
        ]

        /// The operation id prefix of each service: its simple name, or its full name with `_` for `.` when two
        /// services of the document share a simple name.
        private let operationPrefixes: [String: String]
        var schemas = SchemaCatalog()
        private var paths: [(path: String, operations: [(key: String, value: JSONValue)])] = []
        private var pathIndices: [String: Int] = [:]
        private var tags: [(name: String, description: String?)] = []
        private var tagged: Set<String> = []
        private var operationIDs: Set<String> = []
        /// The parameter names of the first path of each shape (`OpenAPIPath.shape`).
        private var namesByShape: [String: [String]] = [:]

        /// - Parameter services: The fully qualified names of the services whose routes will be added.
        init(services: Set<String>) {
            var bySimpleName: [Substring: [String]] = [:]
            for service in services {
                bySimpleName[service.split(separator: ".").last ?? "", default: []].append(service)
            }
            var prefixes: [String: String] = [:]
            for (simpleName, fullNames) in bySimpleName {
                for fullName in fullNames {
                    prefixes[fullName] =
                        fullNames.count == 1
                        ? String(simpleName) : fullName.split(separator: ".").joined(separator: "_")
                }
            }
            operationPrefixes = prefixes
        }

        /// Adds the operation of `route`, unless OpenAPI cannot describe it (see `OpenAPIDocument`).
        mutating func add(_ route: Route) {
            let key = route.httpMethod.lowercased()
            guard Self.operationKeys.contains(key), !route.method.isClientStreaming else { return }
            var path = OpenAPIPath(route.template)
            if let names = namesByShape[path.shape] {
                path.rename(to: names)
            } else {
                namesByShape[path.shape] = path.parameters.map(\.name)
            }
            if let index = pathIndices[path.path], paths[index].operations.contains(where: { $0.key == key }) { return }
            let service = Self.service(of: route.method)
            if tagged.insert(service).inserted {
                tags.append((service, route.method.comments.comment(for: service)))
            }
            let described = operation(for: route, path: path, service: service)
            if let index = pathIndices[path.path] {
                paths[index].operations.append((key, described))
            } else {
                pathIndices[path.path] = paths.count
                paths.append((path.path, [(key, described)]))
            }
        }

        /// The fully qualified name of the method's service.
        static func service(of method: MethodDescriptor) -> String {
            String(method.fullName.dropLast(method.name.count + 1))
        }

        /// A unique operation id: `Service_Method`, then `Service_Method2`, … for the additional bindings.
        mutating func operationID(for route: Route, service: String) -> String {
            let base = "\(operationPrefixes[service] ?? service)_\(route.method.name)"
            let position = route.binding.flatMap { route.method.httpBindings.firstIndex(of: $0) } ?? 0
            var candidate = position == 0 ? base : base + String(position + 1)
            var attempt = position + 1
            while operationIDs.contains(candidate) {
                attempt += 1
                candidate = base + String(attempt)
            }
            operationIDs.insert(candidate)
            return candidate
        }

        /// The whole document.
        func document(title: String, serverURL: String?) -> JSONValue {
            var members: [(key: String, value: JSONValue)] = [
                ("openapi", .string("3.1.0")),
                (
                    "info",
                    .object([
                        ("title", .string(title)),
                        (
                            "description",
                            .string(
                                "The JSON API of the gRPC services this Portico gateway serves, generated from its live route "
                                    + "table. Server-streaming methods reply with one JSON object per line "
                                    + "({\"result\": …}, and {\"error\": …} if the call fails after the first reply). "
                                    + "Client-streaming methods are served over gRPC only and are not listed.")
                        ),
                        ("version", .string("live")),
                    ])
                ),
            ]
            if let serverURL { members.append(("servers", .array([.object([("url", .string(serverURL))])]))) }
            members.append(
                (
                    "tags",
                    .array(
                        tags.map { tag in
                            var members: [(key: String, value: JSONValue)] = [("name", .string(tag.name))]
                            if let description = tag.description {
                                members.append(("description", .string(description)))
                            }
                            return .object(members)
                        })
                ))
            members.append(("paths", .object(paths.map { ($0.path, .object($0.operations)) })))
            members.append(
                ("components", .object([("schemas", .object(schemas.components.map { ($0.name, $0.schema) }))])))
            return .object(members)
        }
    }
}
