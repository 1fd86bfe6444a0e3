/// A request the gateway answers itself, with a gRPC status and the HTTP status a JSON client gets.
///
/// Every error reply is `application/json` `{"code": N, "message": "...", "details": []}`, as grpc-gateway
/// writes it, so clients parse one shape whether the gateway or the backend refused the call.
package struct GatewayError: Error, CustomStringConvertible, Sendable {
    /// The gRPC status, also used for native gRPC clients.
    package var code: GRPCStatusCode
    /// A message for the client; it never contains secrets.
    package var message: String
    /// The HTTP status; usually `code.httpStatus`, but the gateway's own checks are more precise
    /// (405, 413, 431).
    package var httpStatus: Int
    /// Extra response headers, such as `Allow` on a 405.
    package var headers: [(name: String, value: String)]
    /// The JSON array printed as the body's `details`: the backend's status details, if it sent some.
    package var details: [UInt8] = Array("[]".utf8)

    /// Creates an error whose HTTP status follows from its gRPC code unless `httpStatus` is given.
    package init(
        _ code: GRPCStatusCode, _ message: String, httpStatus: Int? = nil,
        headers: [(name: String, value: String)] = []
    ) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus ?? code.httpStatus
        self.headers = headers
    }

    package var description: String { "\(code) (HTTP \(httpStatus)): \(message)" }

    /// The JSON error body.
    package var jsonBody: [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(message.utf8.count + details.count + 48)
        body.append(contentsOf: #"{"code":"#.utf8)
        body.append(contentsOf: String(code.rawValue).utf8)
        body.append(contentsOf: #","message":"#.utf8)
        JSONString.append(message, to: &body)
        body.append(contentsOf: #","details":"#.utf8)
        body.append(contentsOf: details)
        body.append(UInt8(ascii: "}"))
        return body
    }
}
