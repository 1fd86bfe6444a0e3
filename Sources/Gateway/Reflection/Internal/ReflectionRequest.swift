/// The `ServerReflectionRequest`s the client sends: the three kinds of question it asks.
///
/// Encoded by hand (`list_services` = 7, `file_containing_symbol` = 4, `file_by_filename` = 3, each a string of
/// the `message_request` oneof), which spares the gateway generated code for three fields.
enum ReflectionRequest: Hashable, Sendable {
    /// Which services the server offers.
    case listServices
    /// The file that defines a symbol (a service), with the files it depends on.
    case fileContainingSymbol(String)
    /// A file by its name (a dependency missing so far).
    case fileByFilename(String)

    /// The request's protobuf encoding.
    var serialized: [UInt8] {
        let (number, text): (UInt64, String) =
            switch self {
            case .listServices: (7, "")
            case .fileContainingSymbol(let symbol): (4, symbol)
            case .fileByFilename(let name): (3, name)
            }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count + 6)
        bytes.appendVarint(number << 3 | 2)
        bytes.appendVarint(UInt64(text.utf8.count))
        bytes.append(contentsOf: text.utf8)
        return bytes
    }
}

extension ReflectionRequest: CustomStringConvertible {
    var description: String {
        switch self {
        case .listServices: "list_services"
        case .fileContainingSymbol(let symbol): "file_containing_symbol \(symbol)"
        case .fileByFilename(let name): "file_by_filename \(name)"
        }
    }
}
