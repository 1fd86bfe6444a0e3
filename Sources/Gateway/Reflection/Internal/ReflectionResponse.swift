/// A `ServerReflectionResponse`'s answer: what the client decodes from a pod and what the gateway's own reflection
/// service encodes.
///
/// Coded by hand: `file_descriptor_response` = 4 (`repeated bytes file_descriptor_proto` = 1),
/// `all_extension_numbers_response` = 5 (`string base_type_name` = 1, `repeated int32 extension_number` = 2),
/// `list_services_response` = 6 (`repeated ServiceResponse service` = 1, whose `name` = 1) and `error_response`
/// = 7 (`int32 error_code` = 1, `string error_message` = 2); `valid_host` = 1 and `original_request` = 2 are
/// written by the server and skipped by the client.
enum ReflectionResponse: Hashable, Sendable {
    /// Serialized `FileDescriptorProto`s: the file asked for, and maybe (some of) its dependencies.
    case files([ReflectedFile])
    /// The extension numbers of a message type: its full name, and the numbers in ascending order.
    case extensionNumbers(baseTypeName: String, numbers: [Int32])
    /// The names of the services the server offers.
    case services([String])
    /// The server could not answer the question: a gRPC status code and its message.
    case error(code: Int32, message: String)

    /// Decodes a response.
    /// - Throws: `ReflectionError` with `.malformedAnswer` when the bytes are not protobuf, or carry no answer.
    init(serializedBytes bytes: [UInt8]) throws(ReflectionError) {
        let answer: Self?
        do throws(ReflectionWireReader.Malformed) {
            answer = try Self.decode(bytes)
        } catch {
            throw ReflectionError(code: .malformedAnswer, message: "a response is not protobuf: \(error.message)")
        }
        guard let answer else {
            throw ReflectionError(code: .malformedAnswer, message: "a response carries no answer the client asked for")
        }
        self = answer
    }

    private static func decode(_ bytes: [UInt8]) throws(ReflectionWireReader.Malformed) -> Self? {
        var reader = ReflectionWireReader(bytes: bytes)
        var answer: Self?
        while !reader.isAtEnd {
            let (number, value) = try reader.readField()
            guard case .bytes(let range) = value else { continue }
            var inner = ReflectionWireReader(bytes: bytes, range: range)
            switch number {
            case 4:
                var files: [ReflectedFile] = []
                while !inner.isAtEnd {
                    if case (1, .bytes(let file)) = try inner.readField() {
                        do throws(ReflectionError) {
                            files.append(try ReflectedFile(serializedBytes: Array(bytes[file])))
                        } catch {
                            throw ReflectionWireReader.Malformed(message: error.message)
                        }
                    }
                }
                answer = .files(files)
            case 5:
                var name = ""
                var numbers: [Int32] = []
                while !inner.isAtEnd {
                    switch try inner.readField() {
                    case (1, .bytes(let text)): name = inner.string(text)
                    case (2, .varint(let value)): numbers.append(Int32(truncatingIfNeeded: value))
                    case (2, .bytes(let packed)):
                        var values = ReflectionWireReader(bytes: bytes, range: packed)
                        while !values.isAtEnd {
                            numbers.append(Int32(truncatingIfNeeded: try values.readPackedVarint()))
                        }
                    default: break
                    }
                }
                answer = .extensionNumbers(baseTypeName: name, numbers: numbers)
            case 6:
                var names: [String] = []
                while !inner.isAtEnd {
                    guard case (1, .bytes(let service)) = try inner.readField() else { continue }
                    var fields = ReflectionWireReader(bytes: bytes, range: service)
                    var name = ""
                    while !fields.isAtEnd {
                        if case (1, .bytes(let text)) = try fields.readField() { name = fields.string(text) }
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
                    case (2, .bytes(let text)): message = inner.string(text)
                    default: break
                    }
                }
                answer = .error(code: code, message: message)
            default:
                break
            }
        }
        return answer
    }

    /// The response's protobuf encoding, as the gateway's reflection service sends it.
    /// - Parameters:
    ///   - validHost: The `host` of the request, echoed as `valid_host`.
    ///   - originalRequest: The request's own encoding, echoed as `original_request`.
    func serialized(validHost: String, originalRequest: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        if !validHost.isEmpty { bytes.appendText(field: 1, validHost) }
        bytes.appendBytes(field: 2, originalRequest)
        switch self {
        case .files(let files):
            let length = files.reduce(0) { $0 + 1 + Self.varintSize(UInt64($1.bytes.count)) + $1.bytes.count }
            bytes.reserveCapacity(bytes.count + 1 + Self.varintSize(UInt64(length)) + length)
            bytes.appendVarint(4 << 3 | 2)
            bytes.appendVarint(UInt64(length))
            for file in files { bytes.appendBytes(field: 1, file.bytes) }
        case .extensionNumbers(let name, let numbers):
            let answer = bytes.beginMessage(field: 5)
            if !name.isEmpty { bytes.appendText(field: 1, name) }
            if !numbers.isEmpty {
                let packed = bytes.beginMessage(field: 2)
                for number in numbers { bytes.appendVarint(UInt64(bitPattern: Int64(number))) }
                bytes.endLengthDelimited(at: packed)
            }
            bytes.endLengthDelimited(at: answer)
        case .services(let names):
            let answer = bytes.beginMessage(field: 6)
            for name in names {
                let service = bytes.beginMessage(field: 1)
                bytes.appendText(field: 1, name)
                bytes.endLengthDelimited(at: service)
            }
            bytes.endLengthDelimited(at: answer)
        case .error(let code, let message):
            let answer = bytes.beginMessage(field: 7)
            if code != 0 {
                bytes.appendVarint(1 << 3)
                bytes.appendVarint(UInt64(bitPattern: Int64(code)))
            }
            if !message.isEmpty { bytes.appendText(field: 2, message) }
            bytes.endLengthDelimited(at: answer)
        }
        return bytes
    }

    private static func varintSize(_ value: UInt64) -> Int {
        (64 - value.leadingZeroBitCount + 6) / 7 + (value == 0 ? 1 : 0)
    }
}
