/// A discovery.k8s.io/v1 EndpointSlice: a part of one Service's endpoints (100 per slice by default).
package struct EndpointSlice: KubernetesObject, Hashable {
    /// One endpoint (a pod).
    package struct Endpoint: Decodable, Sendable, Hashable {
        /// The endpoint's addresses; the controller writes exactly one, and only the first is used.
        package var addresses: [String]
        /// Its state.
        package var conditions: Conditions?
        /// The pod behind it.
        package var targetRef: ObjectReference?
        /// The node it runs on.
        package var nodeName: String?
        /// The zone it runs in.
        package var zone: String?
    }

    /// An endpoint's state; absent fields have the API's documented meaning.
    package struct Conditions: Decodable, Sendable, Hashable {
        /// Ready for traffic; nil means true.
        package var ready: Bool?
        /// Able to serve, even while terminating; nil means true.
        package var serving: Bool?
        /// Shutting down; nil means false.
        package var terminating: Bool?
    }

    /// A port of every endpoint in the slice.
    package struct Port: Decodable, Sendable, Hashable {
        /// The Service port's name (empty for a Service's single unnamed port).
        package var name: String?
        /// The port on the pods.
        package var port: Int?
    }

    package var metadata: ObjectMeta
    /// `IPv4`, `IPv6` or `FQDN`.
    package var addressType: String?
    /// The endpoints (the API sends `null` for none).
    package var endpoints: [Endpoint]?
    /// The ports.
    package var ports: [Port]?
}
