/// A gRPC status code, as carried by the `grpc-status` trailer.
package struct GRPCStatusCode: Hashable, Sendable, CustomStringConvertible {
    /// The code's number on the wire.
    package var rawValue: Int

    package init(rawValue: Int) { self.rawValue = rawValue }

    package static let ok = GRPCStatusCode(rawValue: 0)
    package static let cancelled = GRPCStatusCode(rawValue: 1)
    package static let unknown = GRPCStatusCode(rawValue: 2)
    package static let invalidArgument = GRPCStatusCode(rawValue: 3)
    package static let deadlineExceeded = GRPCStatusCode(rawValue: 4)
    package static let notFound = GRPCStatusCode(rawValue: 5)
    package static let alreadyExists = GRPCStatusCode(rawValue: 6)
    package static let permissionDenied = GRPCStatusCode(rawValue: 7)
    package static let resourceExhausted = GRPCStatusCode(rawValue: 8)
    package static let failedPrecondition = GRPCStatusCode(rawValue: 9)
    package static let aborted = GRPCStatusCode(rawValue: 10)
    package static let outOfRange = GRPCStatusCode(rawValue: 11)
    package static let unimplemented = GRPCStatusCode(rawValue: 12)
    package static let internalError = GRPCStatusCode(rawValue: 13)
    package static let unavailable = GRPCStatusCode(rawValue: 14)
    package static let dataLoss = GRPCStatusCode(rawValue: 15)
    package static let unauthenticated = GRPCStatusCode(rawValue: 16)

    /// The HTTP status a JSON client gets for this code: grpc-gateway's and Envoy's table (Google's API
    /// design guide), with 500 for codes outside it.
    package var httpStatus: Int {
        switch rawValue {
        case 0: 200
        case 1: 499
        case 2: 500
        case 3: 400
        case 4: 504
        case 5: 404
        case 6: 409
        case 7: 403
        case 8: 429
        case 9: 400
        case 10: 409
        case 11: 400
        case 12: 501
        case 13: 500
        case 14: 503
        case 15: 500
        case 16: 401
        default: 500
        }
    }

    package var description: String {
        let names = [
            "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
            "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
            "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
        ]
        return names.indices.contains(rawValue) ? names[rawValue] : "CODE_\(rawValue)"
    }
}
