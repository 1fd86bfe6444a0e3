/// A discovery.k8s.io/v1 EndpointSlice: a part of one Service's endpoints (100 per slice by default).
struct EndpointSlice: KubernetesObject, Hashable {
    /// One endpoint (a pod).
    struct Endpoint: Decodable, Sendable, Hashable {
        /// The endpoint's addresses; the controller writes exactly one, and only the first is used.
        var addresses: [String]
        /// Its state.
        var conditions: Conditions?
        /// The pod behind it.
        var targetRef: ObjectReference?
        /// The node it runs on.
        var nodeName: String?
        /// The zone it runs in.
        var zone: String?
    }

    /// An endpoint's state; absent fields have the API's documented meaning.
    struct Conditions: Decodable, Sendable, Hashable {
        /// Ready for traffic; nil means true.
        var ready: Bool?
        /// Able to serve, even while terminating; nil means true.
        var serving: Bool?
        /// Shutting down; nil means false.
        var terminating: Bool?
    }

    /// A port of every endpoint in the slice.
    struct Port: Decodable, Sendable, Hashable {
        /// The Service port's name (empty for a Service's single unnamed port).
        var name: String?
        /// The port on the pods.
        var port: Int?
    }

    var metadata: ObjectMeta
    /// `IPv4`, `IPv6` or `FQDN`.
    var addressType: String?
    /// The endpoints (the API sends `null` for none).
    var endpoints: [Endpoint]?
    /// The ports.
    var ports: [Port]?
}
