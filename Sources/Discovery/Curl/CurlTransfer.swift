import CCurl

/// One easy handle and the stream its response goes to. Lives on the curl loop's thread only: libcurl calls
/// `received` from inside `curl_multi_perform`, on that thread.
final class CurlTransfer {
    /// The easy handle, freed in `deinit`.
    let handle: UnsafeMutableRawPointer
    private let continuation: AsyncThrowingStream<HTTPResponsePart, any Error>.Continuation
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
    private var sentHead = false

    init(
        request: HTTPRequest,
        continuation: AsyncThrowingStream<HTTPResponsePart, any Error>.Continuation
    ) throws(CurlError) {
        guard let handle = curl_easy_init() else { throw CurlError(setup: "curl_easy_init failed") }
        self.handle = handle
        self.continuation = continuation
        errorBuffer.initialize(to: 0)
        for header in request.headers { headerList = curl_slist_append(headerList, header) }
        try configure(request)
    }

    deinit {
        curl_easy_cleanup(handle)
        curl_slist_free_all(headerList)
        errorBuffer.deallocate()
    }

    private func configure(_ request: HTTPRequest) throws(CurlError) {
        try check(portico_curl_easy_setopt_string(handle, CURLOPT_URL, request.url))
        try check(portico_curl_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))
        try check(portico_curl_easy_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer))
        try check(portico_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        try check(portico_curl_easy_setopt_long(handle, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS))
        // Wait for a connection being set up to the same server rather than opening another, so that every
        // watch shares one HTTP/2 connection.
        try check(portico_curl_easy_setopt_long(handle, CURLOPT_PIPEWAIT, 1))
        // A proxy's CONNECT reply must not pass for the API server's headers.
        try check(portico_curl_easy_setopt_long(handle, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1))
        try check(portico_curl_easy_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "https"))
        try check(portico_curl_easy_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))
        try check(portico_curl_easy_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, request.connectTimeout.milliseconds))
        try check(portico_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, request.timeout.milliseconds))
        if let idle = request.idleTimeout {
            // Fewer than 1 byte per second for the whole bound fails the transfer with CURLE_OPERATION_TIMEDOUT.
            try check(portico_curl_easy_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1))
            try check(portico_curl_easy_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, idle.wholeSecondsRoundedUp))
        }
        // Trust the cluster CA and nothing else: no system store, and verification can never be turned off.
        try check(portico_curl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1))
        try check(portico_curl_easy_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2))
        try check(portico_curl_easy_setopt_string(handle, CURLOPT_CAPATH, nil))
        try setBlob(CURLOPT_CAINFO_BLOB, request.tls.caPEM)
        if let certificate = request.tls.clientCertificatePEM, let key = request.tls.clientKeyPEM {
            try check(portico_curl_easy_setopt_string(handle, CURLOPT_SSLCERTTYPE, "PEM"))
            try setBlob(CURLOPT_SSLCERT_BLOB, certificate)
            try check(portico_curl_easy_setopt_string(handle, CURLOPT_SSLKEYTYPE, "PEM"))
            try setBlob(CURLOPT_SSLKEY_BLOB, key)
        }
        let userData = Unmanaged.passUnretained(self).toOpaque()
        try check(portico_curl_easy_setopt_write_function(handle, curlWriteCallback))
        try check(portico_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, userData))
        try check(portico_curl_easy_setopt_header_function(handle, curlHeaderCallback))
        try check(portico_curl_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, userData))
    }

    private func setBlob(_ option: CURLoption, _ bytes: [UInt8]) throws(CurlError) {
        let code = bytes.withUnsafeBytes { portico_curl_easy_setopt_blob(handle, option, $0.baseAddress, $0.count) }
        try check(code)
    }

    private func check(_ code: CURLcode) throws(CurlError) {
        guard code == CURLE_OK else { throw CurlError(code: code, detail: "setting up the transfer") }
    }

    /// Body bytes from libcurl; the status goes first, read once the headers are complete.
    fileprivate func received(_ bytes: UnsafeRawBufferPointer) {
        yieldHead()
        continuation.yield(.body(Array(bytes)))
    }

    /// One header line from libcurl; the empty line ending a final (not 1xx) header block delivers the status,
    /// so that a caller learns it even when the body is slow to come, as a quiet watch's is.
    fileprivate func receivedHeader(_ line: UnsafeRawBufferPointer) {
        guard line.count <= 2, line.allSatisfy({ $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }) else {
            return
        }
        var status = 0
        _ = portico_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        if status >= 200 { yieldHead() }
    }

    private func yieldHead() {
        guard !sentHead else { return }
        sentHead = true
        var status = 0
        _ = portico_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        continuation.yield(.head(status: status))
    }

    /// The transfer is over: the stream ends, with the curl error when there is one.
    func complete(_ code: CURLcode) {
        if code == CURLE_OK {
            yieldHead()
            continuation.finish()
        } else {
            continuation.finish(throwing: CurlError(code: code, detail: String(cString: errorBuffer)))
        }
    }

    /// The loop is shutting down or the consumer went away.
    func abandon() {
        continuation.finish(throwing: CancellationError())
    }
}

/// libcurl's write callback: a non-capturing function that finds its transfer through the user-data pointer.
private let curlWriteCallback: curl_write_callback = { pointer, size, count, userData in
    let length = size * count
    guard let userData else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userData).takeUnretainedValue()
    transfer.received(UnsafeRawBufferPointer(start: pointer, count: length))
    return length
}

/// libcurl's header callback: one call per header line, the status line and the final empty line included.
private let curlHeaderCallback: curl_write_callback = { pointer, size, count, userData in
    let length = size * count
    guard let userData else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(userData).takeUnretainedValue()
    transfer.receivedHeader(UnsafeRawBufferPointer(start: pointer, count: length))
    return length
}

extension Duration {
    /// Whole seconds, rounded up, for curl's options in seconds.
    var wholeSecondsRoundedUp: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) + (attoseconds > 0 ? 1 : 0)
    }

    /// Whole milliseconds, for curl's `_MS` options.
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
