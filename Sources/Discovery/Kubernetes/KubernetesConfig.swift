/// How Portico reaches the Kubernetes API and how its watches behave.
public struct KubernetesConfig: Sendable {
    /// A kubeconfig file, or several separated by `:` and merged as kubectl merges `KUBECONFIG`; nil means
    /// in-cluster credentials (service-account token, `ca.crt`, namespace). Default: nil.
    public var kubeconfig: String?
    /// The kubeconfig context to use. Default: nil, the kubeconfig's `current-context`.
    public var context: String?
    /// The namespace of services that name none. Default: nil, the pod's own namespace in-cluster, else the
    /// context's namespace, else `default`.
    public var namespace: String?
    /// How long the server keeps one watch open before the client re-watches from the last resource
    /// version; each watch asks for a random duration between this and twice this, as client-go does.
    /// Default: 5 minutes.
    public var watchTimeout: Duration
    /// A watch that delivers not one byte (no event, no bookmark) for this long is dropped and resumed from
    /// the last resource version. Watches ask for bookmarks, which the API server sends about once a minute,
    /// so a healthy watch is never this quiet. Default: 90 seconds.
    public var watchIdleTimeout: Duration
    /// Objects asked for per list request; the rest follow through `continue` tokens, as with client-go's
    /// pager. 0 lists everything in one request. Default: 500.
    public var listPageSize: Int
    /// Longest time a kubeconfig `exec` credential plugin may run before it is killed. Default: 30 seconds.
    public var execTimeout: Duration
    /// The delays between reconnects after a failure. Default: `Backoff.defaults` (0.8 s to 30 s).
    public var backoff: Backoff
    /// Watch core/v1 Endpoints instead of discovery.k8s.io/v1 EndpointSlices, for clusters without
    /// EndpointSlices. Endpoints carry no terminating state and stop at 1000 addresses. Default: false.
    public var legacyEndpoints: Bool
    /// What each shared watch covers: a namespace (one EndpointSlice and one Service watch per namespace
    /// that has backends) or the whole cluster (one of each). Default: `.namespace`.
    public var watchScope: WatchScope
    /// How often a token file is read again so rotated tokens keep working (a 401 also forces a reread).
    /// Default: 60 seconds.
    public var tokenRefreshInterval: Duration
    /// Longest wait for TCP and TLS to the API server. Default: 10 seconds.
    public var connectTimeout: Duration
    /// Longest time a list request may take. Default: 60 seconds.
    public var listTimeout: Duration
    /// Where in-cluster credentials come from. Default: `InCluster.defaults`.
    public var inCluster: InCluster

    /// Creates a config; every parameter has the documented default.
    public init(
        kubeconfig: String? = nil,
        context: String? = nil,
        namespace: String? = nil,
        watchTimeout: Duration = .seconds(300),
        watchIdleTimeout: Duration = .seconds(90),
        listPageSize: Int = 500,
        execTimeout: Duration = .seconds(30),
        backoff: Backoff = .defaults,
        legacyEndpoints: Bool = false,
        watchScope: WatchScope = .namespace,
        tokenRefreshInterval: Duration = .seconds(60),
        connectTimeout: Duration = .seconds(10),
        listTimeout: Duration = .seconds(60),
        inCluster: InCluster = .defaults
    ) {
        self.kubeconfig = kubeconfig
        self.context = context
        self.namespace = namespace
        self.watchTimeout = watchTimeout
        self.watchIdleTimeout = watchIdleTimeout
        self.listPageSize = listPageSize
        self.execTimeout = execTimeout
        self.backoff = backoff
        self.legacyEndpoints = legacyEndpoints
        self.watchScope = watchScope
        self.tokenRefreshInterval = tokenRefreshInterval
        self.connectTimeout = connectTimeout
        self.listTimeout = listTimeout
        self.inCluster = inCluster
    }

    /// Every setting at its default: in-cluster credentials.
    public static var defaults: KubernetesConfig { KubernetesConfig() }
}
