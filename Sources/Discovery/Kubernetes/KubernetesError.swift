/// Why talking to the Kubernetes API failed: credentials that cannot be loaded, an unreachable server, an
/// HTTP error status, a reply that is not what the API promises.
public struct KubernetesError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is; new codes may be added.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// Credentials or kubeconfig missing, unreadable or incomplete.
        public static let invalidCredentials = Code("invalidCredentials")
        /// The API server could not be reached or the connection broke (see `curlCode`).
        public static let transport = Code("transport")
        /// The API server answered with an error status (see `httpStatus`).
        public static let httpStatus = Code("httpStatus")
        /// The resource version asked for is too old: the client must list again.
        public static let gone = Code("gone")
        /// A reply that could not be decoded.
        public static let invalidResponse = Code("invalidResponse")

        public var description: String { name }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What happened, with the path or URL involved.
    public var message: String
    /// The HTTP status, for `httpStatus` and `gone`.
    public var httpStatus: Int?
    /// libcurl's error code, for `transport`.
    public var curlCode: Int?

    /// Creates an error.
    public init(code: Code, message: String, httpStatus: Int? = nil, curlCode: Int? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.curlCode = curlCode
    }

    public var description: String {
        var text = "\(code): \(message)"
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        if let curlCode { text += " (curl \(curlCode))" }
        return text
    }
}
