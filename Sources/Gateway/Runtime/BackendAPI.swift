/// What one backend serves: the services of its schema, their routes and their series. Built once per schema
/// and kept by the runtimes that follow while neither the backend nor its schema changes, so that a change to
/// one backend rebuilds only that backend's part of the route table.
package struct BackendAPI: Sendable {
    /// Where the schema came from.
    package enum Source: Sendable, Equatable {
        /// The config's descriptor sets.
        case descriptorFiles
        /// A pod's reflection answer, with its version.
        case reflection(version: Int, pod: String)
    }

    /// The backend.
    package let backend: BackendRuntime
    /// Where the schema came from.
    package let source: Source
    /// The compiled descriptors.
    package let pool: DescriptorPool
    /// The descriptor files the pool was compiled from, for the gateway's reflection service (each distinct file
    /// kept once by the gateway's `DescriptorFileStore`).
    package let descriptors: ReflectionCatalog.Backend.Descriptors
    /// The services the backend serves (its `services` key narrows the descriptors' list).
    package let services: [ServiceDescriptor]
    /// The routes of every method of `services`, in declaration order.
    package let routes: [RouteTable<RouteTarget>.Route]
    /// The series of each method, by gRPC path.
    package let methodMetrics: [String: MethodMetrics]
    /// The series of calls to methods the schema lacks, by service.
    package let unknownMethodMetrics: [String: MethodMetrics]

    /// Services that nearly every pod serves for its own sake, not as its API: a schema from reflection leaves
    /// them out (each backend's would conflict with every other's).
    package static let infrastructureServices: Set<String> = [
        "grpc.health.v1.Health", "grpc.reflection.v1.ServerReflection", "grpc.reflection.v1alpha.ServerReflection",
        "grpc.channelz.v1.Channelz",
    ]

    /// Builds the routes of `pool`'s services for `backend`.
    ///
    /// - Throws: `ConfigError` for a `services` entry the descriptors lack or an invalid path template.
    init(
        backend: BackendRuntime, source: Source, pool: DescriptorPool, descriptors: ReflectionCatalog.Backend.Descriptors,
        options: TranscodingOptions, key: String, metrics: GatewayMetrics
    ) throws(ConfigError) {
        let config = backend.config
        let known = Set(pool.services.map(\.fullName))
        for wanted in config.services where !known.contains(wanted) {
            throw ConfigError(
                at: config.descriptorsLocation, key: "\(key).services",
                message: "service \(wanted) is not in the schema of backend \(config.name) "
                    + "(it holds: \(known.sorted().joined(separator: ", ")))")
        }
        let services = pool.services.filter { service in
            if case .reflection = source, Self.infrastructureServices.contains(service.fullName) { return false }
            return config.services.isEmpty || config.services.contains(service.fullName)
        }
        var routes: [RouteTable<RouteTarget>.Route] = []
        var methodMetrics: [String: MethodMetrics] = [:]
        var unknownMethodMetrics: [String: MethodMetrics] = [:]
        for service in services {
            unknownMethodMetrics[service.fullName] = metrics.method(
                service: service.fullName, method: "unknown", type: .unary, backend: backend.name)
            for method in service.methods {
                let series = metrics.method(
                    service: service.fullName, method: method.name,
                    type: .init(clientStreaming: method.isClientStreaming, serverStreaming: method.isServerStreaming),
                    backend: backend.name)
                methodMetrics[method.grpcPath] = series
                routes.append(
                    contentsOf: try Self.routes(
                        for: method, of: backend, options: options, key: key, metrics: metrics, series: series))
            }
        }
        self.backend = backend
        self.source = source
        self.pool = pool
        self.descriptors = descriptors
        self.services = services
        self.routes = routes
        self.methodMetrics = methodMetrics
        self.unknownMethodMetrics = unknownMethodMetrics
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
