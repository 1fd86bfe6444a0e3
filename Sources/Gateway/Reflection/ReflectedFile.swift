import SwiftProtobuf

/// One `FileDescriptorProto` a pod sent over reflection: its bytes as sent, with its name and imports.
package struct ReflectedFile: Hashable, Sendable {
    /// The file's name, e.g. `shop/v1/books.proto`.
    package var name: String
    /// The names of the files it imports, as in its `dependency` list.
    package var dependencies: [String]
    /// The serialized `FileDescriptorProto`, as the pod sent it (options and extensions untouched).
    package var bytes: [UInt8]

    /// Creates a file from its parts.
    package init(name: String, dependencies: [String], bytes: [UInt8]) {
        self.name = name
        self.dependencies = dependencies
        self.bytes = bytes
    }

    /// Reads a serialized `FileDescriptorProto`'s name and imports.
    /// - Throws: `ReflectionError` with `.malformedAnswer` when the bytes are no `FileDescriptorProto` or name none.
    package init(serializedBytes bytes: [UInt8]) throws(ReflectionError) {
        let file: Google_Protobuf_FileDescriptorProto
        do {
            file = try Google_Protobuf_FileDescriptorProto(serializedBytes: bytes)
        } catch {
            throw ReflectionError(
                code: .malformedAnswer, message: "a file_descriptor_proto is not a FileDescriptorProto", cause: error)
        }
        guard !file.name.isEmpty else {
            throw ReflectionError(code: .malformedAnswer, message: "a file_descriptor_proto has no name")
        }
        self.init(name: file.name, dependencies: file.dependency, bytes: bytes)
    }
}
