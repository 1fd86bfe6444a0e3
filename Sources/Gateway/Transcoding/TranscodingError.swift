/// A request or response that cannot be transcoded, with the field it concerns.
package struct TranscodingError: Error, CustomStringConvertible, Sendable {
    /// What went wrong; extensible without breaking callers.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Value: String {
            case invalidJSON, wrongType, outOfRange, unknownEnumValue, unknownField, tooDeep, malformedMessage
            case duplicateOneof, unsupported, invalidQuery
        }
        private let value: Value
        private init(_ value: Value) { self.value = value }

        /// The body is not valid JSON (or not valid UTF-8); `offset` says where.
        package static let invalidJSON = Code(.invalidJSON)
        /// A JSON value or parameter of the wrong type for its field (a string for a bool, bad base64, ...).
        package static let wrongType = Code(.wrongType)
        /// A number that does not fit its field, or a fraction for an integer field.
        package static let outOfRange = Code(.outOfRange)
        /// An enum value name the enum does not declare.
        package static let unknownEnumValue = Code(.unknownEnumValue)
        /// A path variable that names no field of the request message.
        package static let unknownField = Code(.unknownField)
        /// JSON or protobuf nesting deeper than `TranscodingOptions.maxDepth`.
        package static let tooDeep = Code(.tooDeep)
        /// Protobuf bytes that are not a valid encoding of the message.
        package static let malformedMessage = Code(.malformedMessage)
        /// Two members of one oneof set in one message.
        package static let duplicateOneof = Code(.duplicateOneof)
        /// A query string that is not valid percent-encoding.
        package static let invalidQuery = Code(.invalidQuery)
        /// A type the transcoder does not handle (e.g. `google.protobuf.Any` with an unknown type URL).
        package static let unsupported = Code(.unsupported)

        package var description: String { value.rawValue }
    }

    /// The kind of failure.
    package var code: Code
    /// The dotted path of the field concerned, in JSON names (`book.tags[2]`); empty for the message itself.
    package var fieldPath: String
    /// A human-readable explanation.
    package var message: String
    /// The byte offset in the JSON body, for `invalidJSON` and errors found while reading the body.
    package var offset: Int?

    package init(code: Code, fieldPath: String = "", message: String, offset: Int? = nil) {
        self.code = code
        self.fieldPath = fieldPath
        self.message = message
        self.offset = offset
    }

    package var description: String {
        var text = fieldPath.isEmpty ? message : "\(fieldPath): \(message)"
        if let offset { text += " (at byte \(offset))" }
        return text
    }

    /// The same error, seen from the message that contains `field`.
    func within(field: String) -> TranscodingError {
        var copy = self
        if fieldPath.isEmpty {
            copy.fieldPath = field
        } else if fieldPath.hasPrefix("[") {
            copy.fieldPath = field + fieldPath
        } else {
            copy.fieldPath = field + "." + fieldPath
        }
        return copy
    }

    /// The same error, seen from the repeated field that contains element `index`.
    func within(index: Int) -> TranscodingError {
        var copy = self
        copy.fieldPath = "[\(index)]" + (fieldPath.isEmpty || fieldPath.hasPrefix("[") ? fieldPath : "." + fieldPath)
        return copy
    }

    /// The same error, seen from the map that holds `key`.
    func within(key: String) -> TranscodingError {
        var copy = self
        copy.fieldPath = "[\(key)]" + (fieldPath.isEmpty || fieldPath.hasPrefix("[") ? fieldPath : "." + fieldPath)
        return copy
    }
}
