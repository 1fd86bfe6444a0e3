/// What a runtime is built from beside its config: what the gateway learned while running, and what the
/// runtime before it had built.
package struct RuntimeInputs: Sendable {
    /// Backends found at run time (Services exposed through `kubernetes.discover`), in the order they appeared.
    package var discoveredBackends: [GatewayConfig.Backend] = []
    /// The latest good schema each `reflection` backend's pods told, by backend name.
    package var reflectedSchemas: [String: ReflectedSchema] = [:]
    /// The runtime being replaced: its backends named in `keptBackends` are kept as they are (their balancer,
    /// connections and, while their schema is the same, their routes), and its routes keep their precedence
    /// over newcomers'.
    package var previous: GatewayRuntime?
    /// The names of the previous runtime's backends whose settings have not changed.
    package var keptBackends: Set<String> = []
    /// Schemas compiled into routes already (while being checked), reused when their backend and version match.
    package var compiledAPIs: [String: BackendAPI] = [:]
    /// The directory of every backend's message types, for `Any` values; one per gateway, so that kept
    /// backends' tables stay in it.
    package var types = TypeDirectory()
    /// The descriptor files of every schema, each kept once; one per gateway, like `types`.
    package var descriptorFiles = DescriptorFileStore()

    package init() {}
}
