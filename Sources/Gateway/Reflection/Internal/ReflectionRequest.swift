/// The question of a `ServerReflectionRequest`: the client asks a pod the first three; the gateway's own
/// reflection service answers all five.
///
/// Coded by hand: the `message_request` oneof is `file_by_filename` = 3, `file_containing_symbol` = 4,
/// `file_containing_extension` = 5 (an `ExtensionRequest`: `containing_type` = 1, `extension_number` = 2),
/// `all_extension_numbers_of_type` = 6 and `list_services` = 7; `host` = 1 is read by the server and not sent
/// by the client. This spares the gateway generated code for a handful of fields.
enum ReflectionRequest: Hashable, Sendable {
    /// Which services the server offers.
    case listServices
    /// The file that defines a symbol (a service, method, type, field, enum value, extension), with the files it
    /// depends on.
    case fileContainingSymbol(String)
    /// A file by its name (a dependency missing so far).
    case fileByFilename(String)
    /// The file that declares extension `number` of message type `containingType` (a full name).
    case fileContainingExtension(containingType: String, number: Int32)
    /// The numbers of every extension of a message type (a full name).
    case allExtensionNumbersOfType(String)

    /// A request as the server reads it: the `host` it names, and its question (nil when it sets none of the
    /// oneof, or one this server does not know).
    struct Received: Hashable, Sendable {
        var host: String
        var request: ReflectionRequest?
    }

    /// Decodes a request as the server receives it; in the oneof, as protobuf says, the last field wins.
    /// - Throws: `ReflectionWireReader.Malformed` when the bytes are not protobuf.
    static func decode(_ bytes: [UInt8]) throws(ReflectionWireReader.Malformed) -> Received {
        var reader = ReflectionWireReader(bytes: bytes)
        var received = Received(host: "", request: nil)
        while !reader.isAtEnd {
            let (number, value) = try reader.readField()
            guard case .bytes(let range) = value else { continue }
            switch number {
            case 1: received.host = reader.string(range)
            case 3: received.request = .fileByFilename(reader.string(range))
            case 4: received.request = .fileContainingSymbol(reader.string(range))
            case 6: received.request = .allExtensionNumbersOfType(reader.string(range))
            case 7: received.request = .listServices
            case 5:
                var fields = ReflectionWireReader(bytes: bytes, range: range)
                var containingType = ""
                var extensionNumber: Int32 = 0
                while !fields.isAtEnd {
                    switch try fields.readField() {
                    case (1, .bytes(let text)): containingType = fields.string(text)
                    case (2, .varint(let value)): extensionNumber = Int32(truncatingIfNeeded: value)
                    default: break
                    }
                }
                received.request = .fileContainingExtension(containingType: containingType, number: extensionNumber)
            default: break
            }
        }
        return received
    }

    /// The request's protobuf encoding.
    var serialized: [UInt8] {
        var bytes: [UInt8] = []
        switch self {
        case .listServices:
            bytes.appendText(field: 7, "")
        case .fileContainingSymbol(let symbol):
            bytes.appendText(field: 4, symbol)
        case .fileByFilename(let name):
            bytes.appendText(field: 3, name)
        case .allExtensionNumbersOfType(let name):
            bytes.appendText(field: 6, name)
        case .fileContainingExtension(let containingType, let number):
            let request = bytes.beginMessage(field: 5)
            if !containingType.isEmpty { bytes.appendText(field: 1, containingType) }
            if number != 0 {
                bytes.appendVarint(2 << 3)
                bytes.appendVarint(UInt64(bitPattern: Int64(number)))
            }
            bytes.endLengthDelimited(at: request)
        }
        return bytes
    }
}

extension ReflectionRequest: CustomStringConvertible {
    var description: String {
        switch self {
        case .listServices: "list_services"
        case .fileContainingSymbol(let symbol): "file_containing_symbol \(symbol)"
        case .fileByFilename(let name): "file_by_filename \(name)"
        case .fileContainingExtension(let type, let number): "file_containing_extension \(type) \(number)"
        case .allExtensionNumbersOfType(let type): "all_extension_numbers_of_type \(type)"
        }
    }
}
