/// A core/v1 Endpoints object, for clusters without EndpointSlices (legacy mode).
struct Endpoints: KubernetesObject, Hashable {
    /// A set of addresses sharing a set of ports.
    struct Subset: Decodable, Sendable, Hashable {
        /// Ready addresses.
        var addresses: [Address]?
        /// The ports.
        var ports: [EndpointSlice.Port]?
    }

    /// One address (a pod).
    struct Address: Decodable, Sendable, Hashable {
        /// The pod's IP.
        var ip: String
        /// The node it runs on.
        var nodeName: String?
        /// The pod behind it.
        var targetRef: ObjectReference?
    }

    var metadata: ObjectMeta
    /// The subsets (the API sends `null` for none).
    var subsets: [Subset]?
}
