import Foundation

/// Everything the gateway routes by, built once from the config and the descriptor files and then
/// shared, read-only, by every event loop.
package struct GatewayRuntime: Sendable {
    /// The shared route table of every backend's HTTP rules.
    package let routes: RouteTable<RouteTarget>
    /// The backends, in config order.
    package let backends: [BackendRuntime]
    /// The backend serving each fully qualified gRPC service, for native gRPC calls.
    package let backendsByService: [String: BackendRuntime]
    /// The config the runtime was built from.
    package let config: GatewayConfig

    /// Loads every backend's descriptor sets and builds the route table.
    ///
    /// - Throws: `ConfigError` for a descriptor file that cannot be read or parsed, a `services` entry
    ///   not found in the descriptors, a service served by two backends, or two routes that conflict.
    package init(config: GatewayConfig) throws(ConfigError) {
        var routes: [RouteTable<RouteTarget>.Route] = []
        var backends: [BackendRuntime] = []
        var backendsByService: [String: BackendRuntime] = [:]
        let transcoding = TranscodingOptions(config: config)
        for (index, backendConfig) in config.backends.enumerated() {
            let key = "backends[\(index)]"
            let backend = BackendRuntime(config: backendConfig)
            backends.append(backend)
            let pool = try Self.loadDescriptors(of: backendConfig, key: key)
            let known = Set(pool.services.map(\.fullName))
            for wanted in backendConfig.services where !known.contains(wanted) {
                throw ConfigError(
                    file: backendConfig.descriptorFiles.joined(separator: ", "), key: "\(key).services",
                    message: "service \(wanted) is not in the descriptor sets (they hold: \(known.sorted().joined(separator: ", ")))")
            }
            let served = pool.services.filter { backendConfig.services.isEmpty || backendConfig.services.contains($0.fullName) }
            for service in served {
                if let other = backendsByService[service.fullName] {
                    throw ConfigError(
                        file: "", key: "\(key).descriptors",
                        message: "service \(service.fullName) is served by both backend \(other.name) and backend \(backend.name)")
                }
                backendsByService[service.fullName] = backend
                for method in service.methods {
                    routes.append(contentsOf: try Self.routes(for: method, of: backend, options: transcoding, key: key))
                }
            }
        }
        do {
            self.routes = try RouteTable(routes: routes)
        } catch {
            throw ConfigError(file: "", key: "backends", message: "\(error)")
        }
        self.backends = backends
        self.backendsByService = backendsByService
        self.config = config
    }

    private static func loadDescriptors(of backend: GatewayConfig.Backend, key: String) throws(ConfigError) -> DescriptorPool {
        var sets: [(source: String, bytes: [UInt8])] = []
        for path in backend.descriptorFiles {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigError(file: path, key: "\(key).descriptors", message: "cannot read the descriptor set")
            }
            sets.append((source: path, bytes: [UInt8](data)))
        }
        do {
            return try DescriptorPool(descriptorSets: sets)
        } catch {
            throw ConfigError(
                file: backend.descriptorFiles.joined(separator: ", "), key: "\(key).descriptors", message: "\(error)")
        }
    }

    private static func routes(
        for method: MethodDescriptor, of backend: BackendRuntime, options: TranscodingOptions, key: String
    ) throws(ConfigError) -> [RouteTable<RouteTarget>.Route] {
        let bindings: [HTTPBinding?] = method.httpBindings.isEmpty ? [nil] : method.httpBindings
        var routes: [RouteTable<RouteTarget>.Route] = []
        for binding in bindings {
            let templateText = binding?.pathTemplate ?? method.grpcPath
            let template: PathTemplate
            do {
                template = try PathTemplate(parsing: templateText)
            } catch {
                throw ConfigError(
                    file: "", key: "\(key).descriptors",
                    message: "method \(method.fullName) has an invalid path template: \(error)")
            }
            let target = RouteTarget(
                backend: backend, method: method, binding: binding,
                requestTranscoder: RequestTranscoder(method: method, binding: binding, options: options),
                responseTranscoder: ResponseTranscoder(method: method, binding: binding, options: options))
            routes.append(.init(httpMethod: binding?.httpMethod ?? "POST", template: template, target: target))
        }
        return routes
    }
}

extension TranscodingOptions {
    /// The transcoding options a config asks for.
    init(config: GatewayConfig) {
        self.init()
        emitUnpopulated = config.json.emitUnpopulated
        useProtoNames = config.json.useProtoNames
        enumsAsInts = config.json.enumsAsInts
        maxDepth = config.limits.maxJSONDepth
    }
}
