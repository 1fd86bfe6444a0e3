/// Per-backend settings carried by a Kubernetes Service's `portico.io/…` annotations. The config file
/// overrides them: the gateway applies an annotation only where its config leaves the setting unset.
public struct BackendSettings: Hashable, Sendable {
    /// The annotation naming the balancing strategy.
    public static let balancerAnnotation = "portico.io/balancer"
    /// The annotation giving the deadline of a call without a `Grpc-Timeout` header, a duration written as
    /// the config's `backends[].timeout` is (`5s`, `250ms`, `1m30s`); the gateway parses and applies it.
    public static let timeoutAnnotation = "portico.io/timeout"
    /// The annotation listing, comma-separated, the conditions on which a call is retried on another pod,
    /// as the config's `backends[].balancing.retryOn` lists them (`unavailable`); the gateway parses and
    /// applies it.
    public static let retryOnAnnotation = "portico.io/retryOn"
    /// The prefix of every annotation Portico reads.
    public static let annotationPrefix = "portico.io/"

    /// `portico.io/balancer` as written (`round-robin`, `least-outstanding`, `ewma`); the gateway validates it.
    public var balancer: String?
    /// Every `portico.io/…` annotation, for settings added later.
    public var annotations: [String: String]

    /// Creates settings.
    public init(balancer: String? = nil, annotations: [String: String] = [:]) {
        self.balancer = balancer
        self.annotations = annotations
    }

    /// Reads the settings from a Service's annotations, ignoring those of other tools.
    public init(annotations all: [String: String]) {
        let ours = all.filter { $0.key.hasPrefix(Self.annotationPrefix) }
        self.init(balancer: ours[Self.balancerAnnotation], annotations: ours)
    }
}
