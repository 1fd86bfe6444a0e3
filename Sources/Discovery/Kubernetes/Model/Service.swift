/// A core/v1 Service: discovery reads its annotations and its ports' names.
struct Service: KubernetesObject, Hashable {
    /// The Service's spec (the fields discovery reads).
    struct Spec: Decodable, Sendable, Hashable {
        /// The Service's ports.
        var ports: [Port]?
    }

    /// One Service port.
    struct Port: Decodable, Sendable, Hashable {
        /// Its name, required when the Service has more than one.
        var name: String?
        /// The port clients of the Service use.
        var port: Int
        /// `TCP` (the default when absent), `UDP` or `SCTP`.
        var `protocol`: String?
    }

    var metadata: ObjectMeta
    /// The spec.
    var spec: Spec?
}
