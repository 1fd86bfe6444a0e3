/// A `ServerReflectionResponse`, reduced to the answers the client asks for.
///
/// Decoded by hand: `file_descriptor_response` = 4 (`repeated bytes file_descriptor_proto` = 1),
/// `list_services_response` = 6 (`repeated ServiceResponse service` = 1, whose `name` = 1) and `error_response`
/// = 7 (`int32 error_code` = 1, `string error_message` = 2); `valid_host`, `original_request` and the extension
/// answers are skipped.
enum ReflectionResponse: Hashable, Sendable {
    /// Serialized `FileDescriptorProto`s: the file asked for, and maybe (some of) its dependencies.
    case files([ReflectedFile])
    /// The names of the services the server offers.
    case services([String])
    /// The server could not answer the question: a gRPC status code and its message.
    case error(code: Int32, message: String)

    /// Decodes a response.
    /// - Throws: `ReflectionError` with `.malformedAnswer` when the bytes are not protobuf, or carry none of the
    ///   three answers.
    init(serializedBytes bytes: [UInt8]) throws(ReflectionError) {
        var reader = Reader(bytes: bytes, range: bytes.indices)
        var answer: Self?
        while !reader.isAtEnd {
            let (number, value) = try reader.readField()
            guard case .bytes(let range) = value else { continue }
            var inner = Reader(bytes: bytes, range: range)
            switch number {
            case 4:
                var files: [ReflectedFile] = []
                while !inner.isAtEnd {
                    if case (1, .bytes(let file)) = try inner.readField() {
                        files.append(try ReflectedFile(serializedBytes: Array(bytes[file])))
                    }
                }
                answer = .files(files)
            case 6:
                var names: [String] = []
                while !inner.isAtEnd {
                    guard case (1, .bytes(let service)) = try inner.readField() else { continue }
                    var fields = Reader(bytes: bytes, range: service)
                    var name = ""
                    while !fields.isAtEnd {
                        if case (1, .bytes(let text)) = try fields.readField() {
                            name = String(decoding: bytes[text], as: UTF8.self)
                        }
                    }
                    names.append(name)
                }
                answer = .services(names)
            case 7:
                var code: Int32 = 0
                var message = ""
                while !inner.isAtEnd {
                    switch try inner.readField() {
                    case (1, .varint(let value)): code = Int32(truncatingIfNeeded: value)
                    case (2, .bytes(let text)): message = String(decoding: bytes[text], as: UTF8.self)
                    default: break
                    }
                }
                answer = .error(code: code, message: message)
            default:
                break
            }
        }
        guard let answer else {
            throw ReflectionError(code: .malformedAnswer, message: "a response carries no answer the client asked for")
        }
        self = answer
    }

    /// Reads protobuf fields from a range of bytes, checking every length against it.
    private struct Reader {
        enum Value {
            case varint(UInt64)
            case bytes(Range<Int>)
            case fixed
        }

        let bytes: [UInt8]
        var position: Int
        let end: Int

        init(bytes: [UInt8], range: Range<Int>) {
            self.bytes = bytes
            self.position = range.lowerBound
            self.end = range.upperBound
        }

        var isAtEnd: Bool { position >= end }

        mutating func readField() throws(ReflectionError) -> (UInt64, Value) {
            let tag = try readVarint()
            switch tag & 7 {
            case 0:
                return (tag >> 3, .varint(try readVarint()))
            case 1, 5:
                let width = tag & 7 == 1 ? 8 : 4
                guard end - position >= width else { throw Self.malformed("a fixed-width value is cut short") }
                position += width
                return (tag >> 3, .fixed)
            case 2:
                let length = try readVarint()
                guard length <= UInt64(end - position) else { throw Self.malformed("a length exceeds the message") }
                let start = position
                position += Int(length)
                return (tag >> 3, .bytes(start..<position))
            default:
                throw Self.malformed("a field has wire type \(tag & 7)")
            }
        }

        private mutating func readVarint() throws(ReflectionError) -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while position < end, shift < 64 {
                let byte = bytes[position]
                position += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
            throw Self.malformed("a varint is cut short or too long")
        }

        private static func malformed(_ message: String) -> ReflectionError {
            ReflectionError(code: .malformedAnswer, message: "a response is not protobuf: \(message)")
        }
    }
}
