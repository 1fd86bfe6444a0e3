import Foundation

/// Everything the gateway routes by, built from the config, the descriptor files and what the pods and the
/// cluster told at run time, then shared, read-only, by every event loop. A new one replaces it on every
/// reload and every schema or discovered-backend change.
///
/// Conflicts never stop a build: of two backends claiming one HTTP method and path template, or one gRPC
/// service, the one that was served first keeps it and the newcomer's claim is left out (listed in
/// `routes.leftOut` and `serviceConflicts`, logged, counted and shown in `/routes`).
package struct GatewayRuntime: Sendable {
    /// The shared route table of every backend's HTTP rules.
    package let routes: RouteTable<RouteTarget>
    /// The backends, the config's in its order, then the discovered ones.
    package let backends: [BackendRuntime]
    /// What each backend with a schema serves, by backend name.
    package let apis: [String: BackendAPI]
    /// The backend serving each fully qualified gRPC service, for native gRPC calls.
    package let backendsByService: [String: BackendRuntime]
    /// Services left out because an earlier backend serves them.
    package let serviceConflicts: [ServiceConflict]
    /// The config the runtime was built from.
    package let config: GatewayConfig
    /// The series of each gRPC method, by its path `/package.Service/Method`, for native gRPC calls.
    package let methodMetrics: [String: MethodMetrics]
    /// The series of calls to methods not in the descriptors, by fully qualified service.
    package let unknownMethodMetrics: [String: MethodMetrics]
    /// When each backend was first served, by name: earlier backends' routes win conflicts.
    private let arrivals: [String: Int]
    /// The directory of message types shared by the backends' schemas.
    package let types: TypeDirectory
    /// The descriptor files the backends' schemas came from, each kept once.
    package let descriptorFiles: DescriptorFileStore
    /// What the gateway's own gRPC server reflection service describes: each backend's served services and files.
    package let reflectionCatalog: ReflectionCatalog

    /// A gRPC service that two backends serve: the first keeps it.
    package struct ServiceConflict: Sendable, Hashable {
        /// The service's full name.
        package var service: String
        /// The backend that serves it.
        package var keptBackend: String
        /// The backend whose claim is left out.
        package var leftOutBackend: String
    }

    /// Loads every backend's descriptor sets and builds the route table.
    ///
    /// - Parameters:
    ///   - config: The gateway's config.
    ///   - metrics: Where the series of each route, method and backend are made; a private registry by default.
    ///   - inputs: Discovered backends, reflected schemas and the runtime being replaced.
    /// - Throws: `ConfigError` for a descriptor file that cannot be read or parsed, a `services` entry not found
    ///   in a schema, or an invalid path template.
    package init(config: GatewayConfig, metrics: GatewayMetrics = GatewayMetrics(), inputs: RuntimeInputs = RuntimeInputs())
        throws(ConfigError)
    {
        let previous = inputs.previous
        let descriptorFiles = DescriptorFileCache()
        let configNames = Set(config.backends.map(\.name))
        let configs = config.backends + inputs.discoveredBackends.filter { !configNames.contains($0.name) }
        var backends: [BackendRuntime] = []
        var apis: [String: BackendAPI] = [:]
        for (index, backendConfig) in configs.enumerated() {
            let key = index < config.backends.count ? "backends[\(index)]" : "discovered backend \(backendConfig.name)"
            let backend: BackendRuntime
            if inputs.keptBackends.contains(backendConfig.name),
                let kept = previous?.backends.first(where: { $0.name == backendConfig.name })
            {
                backend = kept
            } else {
                backend = BackendRuntime(config: backendConfig, metrics: metrics.backend(named: backendConfig.name))
            }
            backends.append(backend)
            let reflected = backendConfig.reflection == nil ? nil : inputs.reflectedSchemas[backendConfig.name]
            let source: BackendAPI.Source
            if let reflected {
                source = .reflection(version: reflected.version, pod: reflected.pod)
            } else if !backendConfig.descriptorFiles.isEmpty {
                source = .descriptorFiles
            } else {
                continue  // a reflection backend no pod has described yet: no routes
            }
            let candidates = [previous?.apis[backend.name], inputs.compiledAPIs[backend.name]].compactMap { $0 }
            if let ready = candidates.first(where: { $0.backend === backend && $0.source == source }) {
                apis[backend.name] = ready
                continue
            }
            let options = TranscodingOptions(json: backendConfig.json ?? config.json, maxDepth: config.limits.maxJSONDepth)
            let pool: DescriptorPool
            let sets: [[UInt8]]
            if let reflected {
                (pool, sets) = (reflected.pool, [reflected.descriptorSet])
            } else {
                (pool, sets) = try Self.loadDescriptors(
                    of: backendConfig, key: key, cache: descriptorFiles, types: inputs.types)
            }
            apis[backend.name] = try BackendAPI(
                backend: backend, source: source, pool: pool,
                descriptors: inputs.descriptorFiles.descriptors(ofSets: sets), options: options, key: key,
                metrics: metrics)
        }
        // Each served backend with its API, earliest served first: the order that settles conflicts.
        var arrivals: [String: Int] = [:]
        var next = (previous?.arrivals.values.max() ?? -1) + 1
        var served: [(arrival: Int, api: BackendAPI)] = []
        for backend in backends {
            guard let api = apis[backend.name] else { continue }
            let arrival = previous?.arrivals[backend.name] ?? next
            if arrival == next { next += 1 }
            arrivals[backend.name] = arrival
            served.append((arrival, api))
        }
        let ordered = served.sorted { $0.arrival < $1.arrival }.map(\.api)
        var routes: [RouteTable<RouteTarget>.Route] = []
        var methodMetrics: [String: MethodMetrics] = [:]
        var unknownMethodMetrics: [String: MethodMetrics] = [:]
        var backendsByService: [String: BackendRuntime] = [:]
        var serviceConflicts: [ServiceConflict] = []
        for api in ordered {
            let backend = api.backend
            var leftOut: Set<String> = []
            for service in api.services {
                if let other = backendsByService[service.fullName] {
                    serviceConflicts.append(
                        ServiceConflict(service: service.fullName, keptBackend: other.name, leftOutBackend: backend.name))
                    leftOut.insert(service.fullName)
                    continue
                }
                backendsByService[service.fullName] = backend
                unknownMethodMetrics[service.fullName] = api.unknownMethodMetrics[service.fullName]
                for method in service.methods { methodMetrics[method.grpcPath] = api.methodMetrics[method.grpcPath] }
            }
            if leftOut.isEmpty {
                routes.append(contentsOf: api.routes)
            } else {
                routes.append(contentsOf: api.routes.filter { !leftOut.contains($0.target.method.serviceName) })
            }
        }
        self.routes = RouteTable(keepingFirstOf: routes)
        self.backends = backends
        self.apis = apis
        self.arrivals = arrivals
        self.backendsByService = backendsByService
        self.serviceConflicts = serviceConflicts
        self.config = config
        self.methodMetrics = methodMetrics
        self.unknownMethodMetrics = unknownMethodMetrics
        self.types = inputs.types
        self.descriptorFiles = inputs.descriptorFiles
        self.reflectionCatalog = ReflectionCatalog(
            backends: ordered.map { api in
                .init(
                    name: api.backend.name,
                    services: api.services.map(\.fullName).filter { backendsByService[$0] === api.backend },
                    descriptors: api.descriptors)
            })
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
    ) throws(ConfigError) -> (DescriptorPool, sets: [[UInt8]]) {
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
            return (try DescriptorPool(descriptorSets: sets, cache: cache, types: types), sets.map(\.bytes))
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
