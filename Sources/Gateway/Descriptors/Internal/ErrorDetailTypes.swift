import Foundation
import SwiftProtobuf

/// The google.rpc error types (`Status` and the messages of error_details.proto), compiled once per process:
/// what a backend's `grpc-status-details-bin` is printed with when its own descriptors and every other
/// backend's lack them. One shared table rather than a copy in every backend's.
enum ErrorDetailTypes {
    static let table: SchemaTable = {
        var compiler = SchemaCompiler()
        // The generated constant is a valid descriptor set (the descriptor tests print every type of it).
        let bytes = Data(base64Encoded: GoogleRPCDescriptors.fileDescriptorSetBase64, options: .ignoreUnknownCharacters)
        let files = (try? Google_Protobuf_FileDescriptorSet(serializedBytes: bytes ?? Data()).file) ?? []
        do {
            for file in files {
                try compiler.add(file, source: "built-in google/rpc/error_details.proto")
            }
            return try compiler.compile(directory: nil, coverage: .allMessages).table
        } catch {
            return SchemaTable(messages: [], enums: [], messageIndices: [:], directory: nil)
        }
    }()

    /// The table and index of the error type `name` (`google.rpc.ErrorInfo`), if it is one.
    static func message(named name: String) -> (table: SchemaTable, index: Int)? {
        table.messageIndices[name].map { (table, $0) }
    }
}
