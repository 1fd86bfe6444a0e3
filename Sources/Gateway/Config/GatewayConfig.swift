import Balancer
import Discovery

/// Everything `portico serve` needs to run, read from one YAML file (see the README for every key).
public struct GatewayConfig: Sendable {
    /// Where HTTP/1.1 and h2c (prior knowledge) clients connect. Key `listen`, default `127.0.0.1:8080`.
    public var listen: SocketAddressText
    /// Where `/healthz` and `/readyz` are served. Key `admin`, default `127.0.0.1:9901`.
    public var admin: SocketAddressText
    /// Event-loop threads serving requests; 0 means one per CPU core. Key `eventLoops`, default 0.
    public var eventLoops: Int
    /// Limits applied to every client request.
    public var limits: Limits
    /// How JSON replies are written.
    public var json: JSONOptions
    /// The gRPC backends served through the shared route table.
    public var backends: [Backend]
    /// How to reach the Kubernetes API for backends that name a Service. Section `kubernetes`: `kubeconfig`
    /// (a file, or several separated by `:` and merged as kubectl merges KUBECONFIG; relative to the config
    /// file, `~` expanded; without it in-cluster credentials are used), `context` (default: the kubeconfig's
    /// current-context), `namespace` (default: the gateway's own), `watchTimeout` (default 5m),
    /// `watchIdleTimeout` (default 90s), `listPageSize` (default 500), `execTimeout` (default 30s),
    /// `legacyEndpoints` (watch core/v1 Endpoints instead of EndpointSlices, default false), `watchScope`
    /// (`namespace`: one shared EndpointSlice and Service watch per namespace with backends, the default;
    /// `cluster`: one of each for the whole cluster).
    public var kubernetes: KubernetesConfig
    /// Services annotated `portico.io/expose: "true"` become backends (see the README's Exposed Services).
    /// Key `kubernetes.discover`, default off.
    public var exposedServices: ExposedServices?
    /// Draining, readiness and reload settings.
    public var lifecycle: Lifecycle = .defaults
    /// Log one line per request (method, route template, status, gRPC code, duration, endpoint) at info level.
    /// Key `accessLog`, default false.
    public var accessLog = false
    /// What `/metrics` exports. Section `metrics`.
    public var metrics = Metrics()

    /// What `/metrics` exports.
    public struct Metrics: Sendable {
        /// Export every gRPC method's request series at zero before its first call (go-grpc-prometheus'
        /// `InitializeMetrics`), instead of from its first call on. Each method then costs about 40 series
        /// (≈ 5 KB of every scrape) even unused: 5 MB per scrape at 1,000 services of 10 methods. Key
        /// `metrics.initializeMethods`, default false.
        public var initializeMethods = false
    }

    /// Creates a config; every setting not given takes its documented default.
    public init(
        listen: SocketAddressText = SocketAddressText(host: "127.0.0.1", port: 8080),
        admin: SocketAddressText = SocketAddressText(host: "127.0.0.1", port: 9901),
        eventLoops: Int = 0, limits: Limits = .defaults, json: JSONOptions = .defaults, backends: [Backend] = [],
        kubernetes: KubernetesConfig = .defaults
    ) {
        self.kubernetes = kubernetes
        self.listen = listen
        self.admin = admin
        self.eventLoops = eventLoops
        self.limits = limits
        self.json = json
        self.backends = backends
    }

    /// Limits on what a client may send; each has a config key of the same name at the top level.
    public struct Limits: Sendable {
        /// Largest request body accepted, in bytes; larger ones get 413. Key `maxRequestBytes`, default 4 MiB.
        public var maxRequestBytes: Int
        /// Largest reply message accepted from a backend, in bytes; larger ones fail the call with 500.
        /// Key `maxResponseBytes`, default 4 MiB.
        public var maxResponseBytes: Int
        /// Largest HTTP/1.1 request head or HTTP/2 header list, in bytes; larger ones get 431.
        /// Key `maxHeaderBytes`, default 16 KiB.
        public var maxHeaderBytes: Int
        /// Most header fields in one request, on either protocol; more get 431 (as in Envoy). Key
        /// `maxHeaderCount`, default 100.
        public var maxHeaderCount: Int
        /// Deepest JSON nesting accepted in a request body; deeper ones get 400. Key `maxJSONDepth`, default 64.
        public var maxJSONDepth: Int
        /// Longest a client connection may stay idle, in seconds. Key `idleTimeout`, default 300 s.
        public var idleTimeout: Duration
        /// Longest an HTTP/1.1 request head may take to arrive once its first byte has; a slower one gets 408
        /// and the connection closes. Key `requestHeaderTimeout`, default 30 s.
        public var requestHeaderTimeout: Duration
        /// Longest a JSON request's body may go without a byte arriving, on either protocol; a stalled one gets
        /// 408 (and its connection or stream closes). Native gRPC streams are not timed: they may pause.
        /// Key `requestBodyTimeout`, default 30 s.
        public var requestBodyTimeout: Duration
        /// Most requests one h2c client connection may have open at once (its SETTINGS_MAX_CONCURRENT_STREAMS).
        /// Key `maxConcurrentStreams`, default 1000.
        public var maxConcurrentStreams: Int
        /// How many bytes of one call's data the gateway queues for a receiver that takes them slower than the
        /// sender sends, per direction, before it stops reading from the sender (back-pressure): the high-water
        /// mark of every HTTP/2 stream's send buffer, upstream and to clients, and of each HTTP/1.1 client
        /// connection's write buffer. Key `streamBufferBytes`, default 64 KiB.
        public var streamBufferBytes: Int

        /// The defaults named on each property.
        public static var defaults: Limits {
            Limits(
                maxRequestBytes: 4 << 20, maxResponseBytes: 4 << 20, maxHeaderBytes: 16 << 10, maxHeaderCount: 100,
                maxJSONDepth: 64,
                idleTimeout: .seconds(300), requestHeaderTimeout: .seconds(30), requestBodyTimeout: .seconds(30),
                maxConcurrentStreams: 1000, streamBufferBytes: 64 << 10)
        }
    }

    /// How request JSON is read and reply JSON printed (the proto3 JSON mapping; the printing options are
    /// Envoy's transcoder `print_options`). Section `json` at the top level, for every backend; a backend's own
    /// `json` section overrides the keys it names.
    public struct JSONOptions: Sendable {
        /// Print fields that hold their default value. Key `json.emitUnpopulated`, default false.
        public var emitUnpopulated = false
        /// Print proto field names instead of lowerCamelCase JSON names. Key `json.useProtoNames`, default false.
        public var useProtoNames = false
        /// Print enum values as numbers instead of names. Key `json.enumsAsInts`, default false.
        public var enumsAsInts = false
        /// Print 64-bit integers as JSON numbers instead of strings. Readers that parse numbers as doubles
        /// (JavaScript's `JSON.parse`) silently round values beyond 2^53. Key `json.int64AsNumbers`, default false.
        public var int64AsNumbers = false
        /// Spaces of indentation per level; 0 prints compact JSON. Key `json.indent` (0 to 8), default 0.
        public var indent = 0
        /// Drop request JSON fields that name no field of their message instead of answering 400 naming the
        /// field. Dropping is grpc-gateway v2's default, but it loses what a client meant to send (a typo, a field
        /// newer than the gateway's descriptors) without a word. Key `json.discardUnknownFields`, default false.
        public var discardUnknownFields = false

        /// All options off: the proto3 JSON mapping's defaults.
        public static var defaults: JSONOptions { JSONOptions() }
    }

    /// One gRPC backend: its API (descriptor sets, or its pods' server reflection) and where its pods are.
    public struct Backend: Sendable {
        /// A unique name, used in logs and the route table. Key `name`, required.
        public var name: String
        /// FileDescriptorSet files, absolute or relative to the config file. Key `descriptors`, required unless
        /// `reflection` is on; with both, the files are the schema until a pod first answers reflection.
        public var descriptorFiles: [String]
        /// Ask the pods for the schema over gRPC server reflection (and again when the pods change and every
        /// `refreshInterval`) instead of reading it from `descriptors`. Key `reflection`, default off.
        public var reflection: Reflection?
        /// Fully qualified services to serve; empty serves every service in the descriptors. Key `services`.
        public var services: [String]
        /// Static endpoints `host:port`. Key `endpoints`; a backend has either these or `kubernetes`.
        public var endpoints: [SocketAddressText]
        /// The Kubernetes Service whose ready pods are the endpoints. Key `kubernetes`:
        /// `{service: NAME, namespace: NS, port: NAME-OR-NUMBER}` (namespace defaults to the gateway's own).
        public var kubernetes: KubernetesServiceRef?
        /// How a pod is chosen for each request. Key `balancer`; when not set, the Service's
        /// `portico.io/balancer` annotation decides, and without one it is `round-robin`.
        public var balancer: BalancingStrategy?
        /// Deadline of a call that brings no `Grpc-Timeout` header. Key `timeout`, default 30 s.
        public var timeout: Duration
        /// Longest wait for a TCP connection and the HTTP/2 handshake to a pod. Key `connectTimeout`, default 5 s.
        public var connectTimeout: Duration
        /// Latency model, ejection, retries and connection pool settings. Section `balancing`.
        public var balancing: Balancing
        /// This backend's JSON options, when its own `json` section sets some (the keys it leaves out keep the
        /// gateway's); nil means the gateway's `json` section. Key `json`.
        public var json: JSONOptions?
        /// Where the backend's `descriptors` key is written, for errors found once the descriptors are read; nil
        /// for a backend not loaded from a file.
        public var descriptorsLocation: ConfigLocation?

        /// Creates a backend; every setting not given takes its documented default.
        public init(
            name: String, descriptorFiles: [String], services: [String] = [], endpoints: [SocketAddressText] = [],
            kubernetes: KubernetesServiceRef? = nil, balancer: BalancingStrategy? = nil,
            timeout: Duration = .seconds(30), connectTimeout: Duration = .seconds(5), balancing: Balancing = .defaults,
            reflection: Reflection? = nil
        ) {
            self.name = name
            self.descriptorFiles = descriptorFiles
            self.reflection = reflection
            self.services = services
            self.endpoints = endpoints
            self.kubernetes = kubernetes
            self.balancer = balancer
            self.timeout = timeout
            self.connectTimeout = connectTimeout
            self.balancing = balancing
        }
    }
}

/// A place in a config file.
public struct ConfigLocation: Sendable, Hashable {
    /// The config file.
    public var file: String
    /// The 1-based line, when known.
    public var line: Int?

    public init(file: String, line: Int?) {
        self.file = file
        self.line = line
    }
}

/// A `host:port` pair as written in the config (`127.0.0.1:8080`, `[::1]:8080`, `localhost:0`).
public struct SocketAddressText: Hashable, Sendable, CustomStringConvertible {
    /// The host part, without brackets.
    public var host: String
    /// The port; 0 asks the system for a free port where the gateway listens.
    public var port: Int

    /// Parses `host:port`; returns nil when the text is not of that form.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65535).contains(port)
        else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host
        self.port = port
    }

    /// Creates an address from its parts.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
