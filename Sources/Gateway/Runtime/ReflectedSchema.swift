/// A backend's schema as one of its pods told it over gRPC server reflection, compiled.
package struct ReflectedSchema: Sendable {
    /// The services and messages, compiled for transcoding.
    package let pool: DescriptorPool
    /// The files as a serialized `FileDescriptorSet`, as the pod sent them: compared with the next answer to
    /// tell whether anything changed.
    package let descriptorSet: [UInt8]
    /// The services the pod listed.
    package let services: [String]
    /// The pod that answered, `host:port`.
    package let pod: String
    /// Counts the schemas a backend has had: a new number means new routes.
    package let version: Int

    package init(pool: DescriptorPool, descriptorSet: [UInt8], services: [String], pod: String, version: Int) {
        self.pool = pool
        self.descriptorSet = descriptorSet
        self.services = services
        self.pod = pod
        self.version = version
    }
}
