import Foundation

/// The `content-type` values of native gRPC, which the gateway proxies as they are.
enum GRPCContentType {
    /// `application/grpc`, or `application/grpc+FORMAT` (`+proto`, `+json`), parameters allowed; not gRPC-Web
    /// (`application/grpc-web…`), whose framing differs.
    static func isNative(_ contentType: String) -> Bool {
        let mediaType = contentType.prefix { $0 != ";" }.trimmingCharacters(in: .whitespaces).lowercased()
        return mediaType == "application/grpc" || mediaType.hasPrefix("application/grpc+")
    }
}
