/// A failure to load or compile protobuf descriptors.
package struct DescriptorError: Error, CustomStringConvertible, Sendable {
    /// What went wrong; extensible without breaking callers.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case malformedDescriptorSet, conflictingDefinition, unresolvedType, invalidHTTPRule, unsupported
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The bytes are not a serialized `FileDescriptorSet`.
        package static let malformedDescriptorSet = Code(.malformedDescriptorSet)
        /// Two files or two definitions claim the same name with different contents.
        package static let conflictingDefinition = Code(.conflictingDefinition)
        /// A field or method refers to a type that no loaded file defines.
        package static let unresolvedType = Code(.unresolvedType)
        /// A `google.api.http` rule names a body or response field the message does not have.
        package static let invalidHTTPRule = Code(.invalidHTTPRule)
        /// A construct the transcoder cannot handle.
        package static let unsupported = Code(.unsupported)

        package var description: String { value.rawValue }
    }

    /// The kind of failure.
    package var code: Code
    /// The descriptor set (as named by the caller) where the failure was found.
    package var source: String
    /// A human-readable explanation naming the offending file, type or field.
    package var message: String

    package init(code: Code, source: String, message: String) {
        self.code = code
        self.source = source
        self.message = message
    }

    package var description: String { "\(code) in \(source): \(message)" }
}
