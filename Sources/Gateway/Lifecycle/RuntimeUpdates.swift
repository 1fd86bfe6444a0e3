import Logging

/// Every change to a running gateway's runtime, one at a time: config reloads, schemas reflected from pods and
/// backends discovered in the cluster. Keeps what the next build needs; changes that arrive together (a
/// thousand schemas at start-up) are folded into one build.
actor RuntimeUpdates {
    private var inputs = RuntimeInputs()
    /// Discovered backends replaced since the last build: their old runtimes are not kept.
    private var replacedBackends: Set<String> = []
    private var buildScheduled = false
    private let state: GatewayState
    /// Serves new requests with a runtime, once the gateway has started.
    private var serve: (@Sendable (GatewayRuntime) -> Void)?
    private let logger: Logger
    /// The directory of message types every schema joins.
    nonisolated let types: TypeDirectory
    /// Where every schema's descriptor files are kept once.
    nonisolated let descriptorFiles: DescriptorFileStore

    /// - Parameter state: Holds the runtime in force.
    init(state: GatewayState, logger: Logger) {
        self.state = state
        self.logger = logger
        self.types = state.runtime.types
        self.descriptorFiles = state.runtime.descriptorFiles
        inputs.types = state.runtime.types
        inputs.descriptorFiles = state.runtime.descriptorFiles
    }

    /// Hands every runtime built from now on to `serve` (the started gateway's event loops), after making it
    /// the state's.
    func serveEachRuntime(with serve: @escaping @Sendable (GatewayRuntime) -> Void) {
        self.serve = serve
    }

    /// The latest good schema a backend's pods told, if any.
    func schema(of backend: String) -> ReflectedSchema? {
        inputs.reflectedSchemas[backend]
    }

    /// Builds a runtime from a new config (keeping the schemas and backends learned at run time) and installs it.
    ///
    /// - Throws: `ConfigError` when the config cannot be used; the runtime in force stays.
    func reload(_ config: GatewayConfig) throws(ConfigError) -> GatewayRuntime {
        var inputs = self.inputs
        inputs.previous = state.runtime
        let runtime = try GatewayRuntime(config: config, metrics: state.metrics, inputs: inputs)
        finishBuild(runtime)
        return runtime
    }

    /// Serves a backend's new schema, whose routes `api` holds already built.
    func schemaArrived(_ schema: ReflectedSchema, api: BackendAPI) {
        inputs.reflectedSchemas[api.backend.name] = schema
        inputs.compiledAPIs[api.backend.name] = api
        scheduleBuild()
    }

    /// Serves the discovered backends `backends` from now on, in place of those served before; `replaced` names
    /// the ones whose settings changed.
    func discoveredBackendsChanged(_ backends: [GatewayConfig.Backend], replaced: Set<String>) {
        let names = Set(backends.map(\.name))
        for gone in inputs.discoveredBackends.map(\.name) where !names.contains(gone) {
            inputs.reflectedSchemas[gone] = nil
        }
        inputs.discoveredBackends = backends
        replacedBackends.formUnion(replaced)
        scheduleBuild()
    }

    private func scheduleBuild() {
        guard !buildScheduled else { return }
        buildScheduled = true
        Task { await self.build() }
    }

    /// Rebuilds the runtime in force with what changed, keeping every backend that did not.
    private func build() {
        buildScheduled = false
        let previous = state.runtime
        var inputs = self.inputs
        inputs.previous = previous
        inputs.keptBackends = Set(previous.backends.map(\.name)).subtracting(replacedBackends)
        do {
            finishBuild(try GatewayRuntime(config: previous.config, metrics: state.metrics, inputs: inputs))
        } catch {
            logger.error("the route table could not be rebuilt; the one in force stays", metadata: ["error": "\(error)"])
        }
    }

    private func finishBuild(_ runtime: GatewayRuntime) {
        replacedBackends = []
        inputs.compiledAPIs = [:]
        state.install(runtime)
        serve?(runtime)
    }
}
