/// A core/v1 Endpoints object, for clusters without EndpointSlices (legacy mode).
package struct Endpoints: KubernetesObject, Hashable {
    /// A set of addresses sharing a set of ports.
    package struct Subset: Decodable, Sendable, Hashable {
        /// Ready addresses.
        package var addresses: [Address]?
        /// The ports.
        package var ports: [EndpointSlice.Port]?
    }

    /// One address (a pod).
    package struct Address: Decodable, Sendable, Hashable {
        /// The pod's IP.
        package var ip: String
        /// The node it runs on.
        package var nodeName: String?
        /// The pod behind it.
        package var targetRef: ObjectReference?
    }

    package var metadata: ObjectMeta
    /// The subsets (the API sends `null` for none).
    package var subsets: [Subset]?
}
