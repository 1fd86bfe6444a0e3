import Foundation
import SwiftProtobuf

/// All services, methods and messages of one or more `FileDescriptorSet`s, with message schemas compiled for
/// transcoding. Immutable; build a new pool when descriptors change.
package final class DescriptorPool: Sendable {
    /// Every service of every loaded file, in load order.
    package let services: [ServiceDescriptor]
    private let table: SchemaTable
    private let methodsByPath: [String: MethodDescriptor]

    /// Loads and compiles descriptor sets.
    /// - Parameters:
    ///   - descriptorSets: serialized `FileDescriptorSet`s (`protoc --include_imports
    ///     --descriptor_set_out`), each with a name used in errors. The same file may appear in several sets
    ///     if its contents are identical; two different definitions of one file or type are an error.
    ///   - cache: Files parsed before, by their bytes (pools of one config load share one).
    ///   - types: Every backend's message types, where an Any's `@type` that these descriptors lack is
    ///     looked up; this pool's types are added to it.
    /// - Throws: `DescriptorError` when a set cannot be parsed, names conflict, a type is missing, or an
    ///   HTTP rule names a field the message does not have.
    package init(
        descriptorSets: [(source: String, bytes: [UInt8])], cache: DescriptorFileCache = DescriptorFileCache(),
        types: TypeDirectory? = nil
    ) throws(DescriptorError) {
        var compiler = SchemaCompiler()
        var files: [Google_Protobuf_FileDescriptorProto] = []
        for set in descriptorSets {
            for file in try cache.files(of: set) {
                try compiler.add(file, source: set.source)
                files.append(file)
            }
        }
        let compiled = try compiler.compile(directory: types)
        types?.add(compiled.table)
        self.table = compiled.table
        // Only the comments of files that hold a service or a compiled message: descriptor.proto's, kept by
        // every set made with source info, are long and describe no API.
        let described = files.filter { file in
            let prefix = file.package.isEmpty ? "" : file.package + "."
            return !file.service.isEmpty
                || file.messageType.contains { compiled.table.messageIndices[prefix + $0.name] != nil }
        }
        let comments = DescriptorComments(files: described)
        self.services = compiled.services.map { service in
            var service = service
            for index in service.methods.indices { service.methods[index].comments = comments }
            return service
        }
        var methodsByPath: [String: MethodDescriptor] = [:]
        for service in services {
            for method in service.methods {
                methodsByPath[method.grpcPath] = method
            }
        }
        self.methodsByPath = methodsByPath
    }

    /// The service with this fully qualified name.
    package func service(named fullName: String) -> ServiceDescriptor? {
        services.first { $0.fullName == fullName }
    }

    /// The method called with this gRPC `:path` (`/pkg.Service/Method`).
    package func method(grpcPath: String) -> MethodDescriptor? {
        methodsByPath[grpcPath]
    }

    /// The message type with this fully qualified name (`pkg.Book`): one of the pool's own (not those of its
    /// options' schema, see `SchemaCompiler.Coverage.allButOptionSchemas`), else one of the google.rpc error
    /// types, which every pool can print.
    package func message(named fullName: String) -> MessageSchema? {
        if let index = table.messageIndices[fullName] { return MessageSchema(table: table, index: index) }
        return ErrorDetailTypes.message(named: fullName).map { MessageSchema(table: $0.table, index: $0.index) }
    }
}
