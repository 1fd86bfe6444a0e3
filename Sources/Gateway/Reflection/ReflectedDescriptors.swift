/// What a pod told about itself over gRPC server reflection: its services and every file they need.
package struct ReflectedDescriptors: Hashable, Sendable {
    /// The services the pod lists, without the reflection services themselves, in the pod's order.
    package var services: [String]
    /// The files defining the services and everything they import, each file after the files it imports.
    package var files: [ReflectedFile]
    /// The version of the reflection service that answered.
    package var version: ReflectionServiceVersion

    /// Creates the result of an exchange.
    package init(services: [String], files: [ReflectedFile], version: ReflectionServiceVersion) {
        self.services = services
        self.files = files
        self.version = version
    }

    /// The files as one serialized `FileDescriptorSet` (what `protoc --include_imports --descriptor_set_out`
    /// writes), for `DescriptorPool(descriptorSets:)`.
    package var fileDescriptorSet: [UInt8] {
        var set: [UInt8] = []
        set.reserveCapacity(self.files.reduce(0) { $0 + $1.bytes.count + 6 })
        for file in self.files {
            set.appendVarint(1 << 3 | 2)
            set.appendVarint(UInt64(file.bytes.count))
            set.append(contentsOf: file.bytes)
        }
        return set
    }
}
