/// The `grpc-status` and `grpc-message` fields of a gRPC response.
package enum GRPCStatusFields {
    /// The `grpc-status` and percent-decoded `grpc-message` of a block, if it has a status.
    package static func status(in block: [(name: String, value: String)]) -> (GRPCStatusCode, String)? {
        guard let text = block.first(where: { $0.name == "grpc-status" })?.value else { return nil }
        let code = Int(text).map(GRPCStatusCode.init(rawValue:)) ?? .unknown
        let message = block.first(where: { $0.name == "grpc-message" }).map { PercentDecoding.decodeLeniently($0.value) } ?? ""
        return (code, message)
    }

    /// The gRPC status for a response whose HTTP status is not 200, as the gRPC HTTP/2 protocol maps it.
    package static func status(forHTTPStatus status: Int) -> GRPCStatusCode {
        switch status {
        case 400: .internalError
        case 401: .unauthenticated
        case 403: .permissionDenied
        case 404: .unimplemented
        case 429, 502, 503, 504: .unavailable
        default: .unknown
        }
    }

    /// Percent-encodes a status message as the gRPC protocol asks: bytes outside printable ASCII, and `%`.
    package static func percentEncoded(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 > 0x7E || $0 == UInt8(ascii: "%") }) else { return text }
        var result = ""
        for byte in text.utf8 {
            if byte < 0x20 || byte > 0x7E || byte == UInt8(ascii: "%") {
                let hex = Array("0123456789ABCDEF".utf8)
                result.unicodeScalars.append("%")
                result.unicodeScalars.append(Unicode.Scalar(hex[Int(byte >> 4)]))
                result.unicodeScalars.append(Unicode.Scalar(hex[Int(byte & 0xF)]))
            } else {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return result
    }
}
