import CCurl

/// A transfer that failed below HTTP: connection refused, TLS verification failed, connection dropped.
struct CurlError: Error, Hashable, Sendable, CustomStringConvertible {
    /// libcurl's error code (`CURLcode`), e.g. 7 for a refused connection.
    var code: Int
    /// libcurl's message for the code, with its detailed error buffer when it has one.
    var message: String

    /// Creates an error from a curl result and the transfer's error buffer.
    init(code: CURLcode, detail: String) {
        self.code = Int(code.rawValue)
        let name = String(cString: curl_easy_strerror(code))
        self.message = detail.isEmpty ? name : "\(name): \(detail)"
    }

    /// Creates an error for a failure of the loop itself.
    init(setup message: String) {
        self.code = -1
        self.message = message
    }

    var description: String { "curl error \(code): \(message)" }
}
