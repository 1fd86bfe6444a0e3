/// A core/v1 Service: discovery reads its annotations and its ports' names.
package struct Service: KubernetesObject, Hashable {
    /// The Service's spec (the fields discovery reads).
    package struct Spec: Decodable, Sendable, Hashable {
        /// The Service's ports.
        package var ports: [Port]?
    }

    /// One Service port.
    package struct Port: Decodable, Sendable, Hashable {
        /// Its name, required when the Service has more than one.
        package var name: String?
        /// The port clients of the Service use.
        package var port: Int
    }

    package var metadata: ObjectMeta
    /// The spec.
    package var spec: Spec?
}
