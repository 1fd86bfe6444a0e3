/// Why asking a pod for its schema over gRPC server reflection failed.
package struct ReflectionError: Error, CustomStringConvertible {
    /// What went wrong, as an extensible set of codes.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Wrapped: Hashable, Sendable {
            case unreachable
            case unimplemented
            case timeout
            case malformedAnswer
            case serverError
        }

        private let wrapped: Wrapped

        private init(_ wrapped: Wrapped) {
            self.wrapped = wrapped
        }

        /// The pod could not be reached, or the connection to it was lost before the answer was complete.
        package static let unreachable = Self(.unreachable)
        /// The pod serves neither `grpc.reflection.v1` nor `grpc.reflection.v1alpha`.
        package static let unimplemented = Self(.unimplemented)
        /// The exchange did not finish within the timeout.
        package static let timeout = Self(.timeout)
        /// The pod answered something that is not a valid reflection answer, or not the one asked for.
        package static let malformedAnswer = Self(.malformedAnswer)
        /// The pod answered with an error: a gRPC status other than OK, a reset stream, or a reflection
        /// `ErrorResponse` (e.g. NOT_FOUND for a file it named as a dependency).
        package static let serverError = Self(.serverError)

        package var description: String {
            String(describing: self.wrapped)
        }
    }

    /// What went wrong.
    package var code: Code
    /// A human-readable explanation, with what was asked and the pod's own message where it sent one.
    package var message: String
    /// The pod asked, `host:port`.
    package var endpoint: String
    /// The underlying error, e.g. the HTTP/2 error of a failed connection.
    package var cause: (any Error)?

    /// Creates an error.
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: A human-readable explanation.
    ///   - endpoint: The pod asked, `host:port`.
    ///   - cause: The underlying error, if any.
    package init(code: Code, message: String, endpoint: String = "", cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.endpoint = endpoint
        self.cause = cause
    }

    package var description: String {
        var text = "ReflectionError.\(self.code)"
        if !self.endpoint.isEmpty {
            text += " from \(self.endpoint)"
        }
        text += ": \(self.message)"
        if let cause = self.cause {
            text += " (cause: \(cause))"
        }
        return text
    }
}
