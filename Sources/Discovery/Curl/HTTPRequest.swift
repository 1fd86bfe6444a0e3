/// One GET to the Kubernetes API server, as the curl loop performs it.
struct HTTPRequest: Sendable {
    /// The full URL, query included.
    var url: String
    /// Header lines, `Name: value`.
    var headers: [String]
    /// How the server is verified and the client identified.
    var tls: TLSIdentity
    /// Longest wait for the TCP and TLS handshakes.
    var connectTimeout: Duration
    /// Longest time the whole transfer may take, streaming included.
    var timeout: Duration
    /// Longest time without a single byte from the server before the transfer fails (whole seconds, rounded
    /// up); nil for no bound. For watches, whose silence would otherwise go unnoticed.
    var idleTimeout: Duration?

    /// Creates a request.
    init(
        url: String, headers: [String], tls: TLSIdentity, connectTimeout: Duration, timeout: Duration,
        idleTimeout: Duration? = nil
    ) {
        self.url = url
        self.headers = headers
        self.tls = tls
        self.connectTimeout = connectTimeout
        self.timeout = timeout
        self.idleTimeout = idleTimeout
    }
}

/// The PEM material of one TLS connection: the cluster CA the server is verified against (always), and an
/// optional client certificate with its key.
struct TLSIdentity: Sendable, Hashable {
    /// The certificate authorities trusted for the API server; nothing else is trusted.
    var caPEM: [UInt8]
    /// The client certificate chain, when the client authenticates with one.
    var clientCertificatePEM: [UInt8]?
    /// The client certificate's private key.
    var clientKeyPEM: [UInt8]?

    /// Creates an identity.
    init(caPEM: [UInt8], clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil) {
        self.caPEM = caPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
    }
}

/// What a transfer delivers, in order: the status once, then the body in pieces as they arrive.
enum HTTPResponsePart: Sendable, Equatable {
    /// The response status, as soon as the response headers are complete.
    case head(status: Int)
    /// Body bytes (chunked transfer coding already removed).
    case body([UInt8])
}
