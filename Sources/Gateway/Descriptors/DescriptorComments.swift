import Foundation
import SwiftProtobuf

/// The comments written above services, methods, messages, fields and enums in the .proto files, by fully
/// qualified name (`pkg.Service`, `pkg.Service.Method`, `pkg.Message`, `pkg.Message.field`, `pkg.Enum`), as the
/// descriptor sets carry them when made with `protoc --include_source_info`. Empty otherwise.
package struct DescriptorComments: Sendable {
    private var comments: [String: String] = [:]

    /// No comments.
    package init() {}

    /// The comments of `files` (those without `source_code_info` contribute none).
    init(files: [Google_Protobuf_FileDescriptorProto]) {
        for file in files where file.hasSourceCodeInfo {
            var byPath: [[Int32]: String] = [:]
            for location in file.sourceCodeInfo.location {
                let text = location.hasLeadingComments ? location.leadingComments : location.trailingComments
                let cleaned = Self.clean(text)
                if !cleaned.isEmpty { byPath[location.path] = cleaned }
            }
            guard !byPath.isEmpty else { continue }
            let prefix = file.package.isEmpty ? "" : file.package + "."
            for (index, message) in file.messageType.enumerated() {
                addMessage(message, fullName: prefix + message.name, path: [4, Int32(index)], byPath)
            }
            for (index, enumType) in file.enumType.enumerated() {
                comments[prefix + enumType.name] = byPath[[5, Int32(index)]]
            }
            for (index, service) in file.service.enumerated() {
                let serviceName = prefix + service.name
                comments[serviceName] = byPath[[6, Int32(index)]]
                for (position, method) in service.method.enumerated() {
                    comments[serviceName + "." + method.name] = byPath[[6, Int32(index), 2, Int32(position)]]
                }
            }
        }
    }

    /// The comment of the element with this fully qualified name, if it has one.
    package func comment(for fullName: String) -> String? {
        comments[fullName]
    }

    /// Whether no element has a comment.
    package var isEmpty: Bool { comments.isEmpty }

    // Descriptor field numbers: DescriptorProto.field = 2, nested_type = 3, enum_type = 4.
    private mutating func addMessage(
        _ message: Google_Protobuf_DescriptorProto, fullName: String, path: [Int32], _ byPath: [[Int32]: String]
    ) {
        comments[fullName] = byPath[path]
        for (index, field) in message.field.enumerated() {
            comments[fullName + "." + field.name] = byPath[path + [2, Int32(index)]]
        }
        for (index, nested) in message.nestedType.enumerated() {
            addMessage(nested, fullName: fullName + "." + nested.name, path: path + [3, Int32(index)], byPath)
        }
        for (index, enumType) in message.enumType.enumerated() {
            comments[fullName + "." + enumType.name] = byPath[path + [4, Int32(index)]]
        }
    }

    /// The comment without the space protoc keeps after each `//`, and without surrounding blank lines.
    private static func clean(_ text: String) -> String {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.hasPrefix(" ") ? line.dropFirst() : line[...]
        }
        return lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
