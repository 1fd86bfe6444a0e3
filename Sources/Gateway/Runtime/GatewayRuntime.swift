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
    /// The series of each gRPC method, by its path `/package.Service/Method`, for native gRPC calls.
    package let methodMetrics: [String: MethodMetrics]
    /// The series of calls to methods not in the descriptors, by fully qualified service.
    package let unknownMethodMetrics: [String: MethodMetrics]

    /// Loads every backend's descriptor sets and builds the route table.
    ///
    /// - Parameters:
    ///   - config: The gateway's config.
    ///   - metrics: Where the series of each route, method and backend are made; a private registry by default.
    /// - Throws: `ConfigError` for a descriptor file that cannot be read or parsed, a `services` entry
    ///   not found in the descriptors, a service served by two backends, or two routes that conflict.
    package init(config: GatewayConfig, metrics: GatewayMetrics = GatewayMetrics()) throws(ConfigError) {
        var routes: [RouteTable<RouteTarget>.Route] = []
        var methodMetrics: [String: MethodMetrics] = [:]
        var unknownMethodMetrics: [String: MethodMetrics] = [:]
        var backends: [BackendRuntime] = []
        var backendsByService: [String: BackendRuntime] = [:]
        let descriptorFiles = DescriptorFileCache()
        let types = TypeDirectory()
        for (index, backendConfig) in config.backends.enumerated() {
            let key = "backends[\(index)]"
            let backend = BackendRuntime(config: backendConfig, metrics: metrics.backend(named: backendConfig.name))
            let options = TranscodingOptions(json: backendConfig.json ?? config.json, maxDepth: config.limits.maxJSONDepth)
            backends.append(backend)
            let location = backendConfig.descriptorsLocation
            let pool = try Self.loadDescriptors(of: backendConfig, key: key, cache: descriptorFiles, types: types)
            let known = Set(pool.services.map(\.fullName))
            for wanted in backendConfig.services where !known.contains(wanted) {
                throw ConfigError(
                    at: location, key: "\(key).services",
                    message:
                        "service \(wanted) is not in the descriptor sets \(backendConfig.descriptorFiles.joined(separator: ", ")) "
                        + "(they hold: \(known.sorted().joined(separator: ", ")))")
            }
            let served = pool.services.filter {
                backendConfig.services.isEmpty || backendConfig.services.contains($0.fullName)
            }
            for service in served {
                if let other = backendsByService[service.fullName] {
                    throw ConfigError(
                        at: location, key: "\(key).descriptors",
                        message: "service \(service.fullName) is served by both backend \(other.name) and backend "
                            + "\(backend.name): a service has one backend (narrow one with `services`)")
                }
                backendsByService[service.fullName] = backend
                unknownMethodMetrics[service.fullName] = metrics.method(
                    service: service.fullName, method: "unknown", type: .unary, backend: backend.name)
                for method in service.methods {
                    let series = metrics.method(
                        service: service.fullName, method: method.name,
                        type: .init(
                            clientStreaming: method.isClientStreaming, serverStreaming: method.isServerStreaming),
                        backend: backend.name)
                    methodMetrics[method.grpcPath] = series
                    routes.append(
                        contentsOf: try Self.routes(
                            for: method, of: backend, options: options, key: key, metrics: metrics, series: series))
                }
            }
        }
        do {
            self.routes = try RouteTable(routes: routes)
        } catch {
            // The conflict is between two backends' descriptors: the config file is the place, no one line.
            let file = config.backends.first?.descriptorsLocation.map { ConfigLocation(file: $0.file, line: nil) }
            throw ConfigError(at: file, key: "backends", message: "\(error)")
        }
        self.backends = backends
        self.backendsByService = backendsByService
        self.config = config
        self.methodMetrics = methodMetrics
        self.unknownMethodMetrics = unknownMethodMetrics
    }

    /// The series of the method at a native gRPC call's path, or of the unknown methods of its service; nil
    /// when no backend serves the service.
    package func methodMetrics(path: String) -> MethodMetrics? {
        if let series = methodMetrics[path] { return series }
        let service = path.split(separator: "/", omittingEmptySubsequences: true).first.map(String.init) ?? ""
        return unknownMethodMetrics[service]
    }

    private static func loadDescriptors(
        of backend: GatewayConfig.Backend, key: String, cache: DescriptorFileCache, types: TypeDirectory
    ) throws(ConfigError) -> DescriptorPool {
        var sets: [(source: String, bytes: [UInt8])] = []
        let location = backend.descriptorsLocation
        for path in backend.descriptorFiles {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw ConfigError(
                    at: location, key: "\(key).descriptors",
                    message: "cannot read the descriptor set \(path): \(Self.readFailure(path))")
            }
            sets.append((source: path, bytes: [UInt8](data)))
        }
        do {
            return try DescriptorPool(descriptorSets: sets, cache: cache, types: types)
        } catch  where error.code == .malformedDescriptorSet {
            throw ConfigError(
                at: location, key: "\(key).descriptors",
                message: "\(error.source) is not a FileDescriptorSet (a binary protobuf file); make one with "
                    + "`protoc --include_imports --descriptor_set_out=\(URL(fileURLWithPath: error.source).lastPathComponent) "
                    + "-I PROTO_DIR your/service.proto`")
        } catch {
            throw ConfigError(at: location, key: "\(key).descriptors", message: "\(error.source): \(error.message)")
        }
    }

    /// Why `path` cannot be read, as the system says it.
    private static func readFailure(_ path: String) -> String {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        defer { close(descriptor) }
        var status = stat()
        if fstat(descriptor, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR { return "it is a directory" }
        return "the read failed"
    }

    private static func routes(
        for method: MethodDescriptor, of backend: BackendRuntime, options: TranscodingOptions, key: String,
        metrics: GatewayMetrics, series: MethodMetrics
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
                    at: backend.config.descriptorsLocation, key: "\(key).descriptors",
                    message: "method \(method.fullName) has an invalid path template: \(error)")
            }
            let target = RouteTarget(
                backend: backend, method: method, binding: binding,
                requestTranscoder: RequestTranscoder(method: method, binding: binding, options: options),
                responseTranscoder: ResponseTranscoder(method: method, binding: binding, options: options),
                metrics: metrics.route(
                    template: templateText, httpMethod: binding?.httpMethod ?? "POST", method: series))
            routes.append(.init(httpMethod: binding?.httpMethod ?? "POST", template: template, target: target))
        }
        return routes
    }
}

extension TranscodingOptions {
    /// The transcoding options of a config's `json` section, with the `maxJSONDepth` limit.
    init(json: GatewayConfig.JSONOptions, maxDepth: Int) {
        self.init(
            emitUnpopulated: json.emitUnpopulated, useProtoNames: json.useProtoNames, enumsAsInts: json.enumsAsInts,
            int64AsNumbers: json.int64AsNumbers, indent: json.indent, discardUnknownFields: json.discardUnknownFields,
            maxDepth: maxDepth)
    }
}
