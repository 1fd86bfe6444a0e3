import Foundation

/// Sends list and watch requests to one API server over the curl loop, with fresh credentials each time.
final class KubernetesClient: Sendable {
    /// The credentials in use.
    let credentials: ClusterCredentials
    /// What the watches using this client have done.
    let statistics = StatisticsRecorder()
    private let loop: CurlMultiLoop
    private let config: KubernetesConfig

    /// Creates a client; its transfers run on `loop`.
    init(credentials: ClusterCredentials, config: KubernetesConfig, loop: CurlMultiLoop) {
        self.credentials = credentials
        self.config = config
        self.loop = loop
    }

    /// Lists a collection; throws `gone` on 410 and `httpStatus` on any other error status (after a 401 the
    /// credential files are read again).
    func list<Object: KubernetesObject>(
        _ type: Object.Type, path: String, query: [(String, String)]
    ) async throws(KubernetesError) -> ObjectList<Object> {
        let request = try makeRequest(path: path, query: query, timeout: config.listTimeout)
        var status = 0
        var body: [UInt8] = []
        do {
            for try await part in loop.perform(request) {
                switch part {
                case .head(let code): status = code
                case .body(let bytes): body += bytes
                }
            }
        } catch let error as CurlError {
            throw KubernetesError(code: .transport, message: "list \(path): \(error.message)", curlCode: error.code)
        } catch {
            throw KubernetesError(code: .transport, message: "list \(path): cancelled")
        }
        try check(status: status, body: body, path: path)
        do {
            return try JSONDecoder().decode(ObjectList<Object>.self, from: Data(body))
        } catch {
            throw KubernetesError(code: .invalidResponse, message: "list \(path): \(error)")
        }
    }

    /// Starts a watch; the caller reads the status and the event stream. `timeout` bounds the transfer.
    func watch(
        path: String, query: [(String, String)], timeout: Duration
    ) throws(KubernetesError) -> AsyncThrowingStream<HTTPResponsePart, any Error> {
        loop.perform(try makeRequest(path: path, query: query, timeout: timeout))
    }

    /// Turns an error status into an error (200 passes).
    func check(status: Int, body: [UInt8], path: String) throws(KubernetesError) {
        guard status != 200 else { return }
        if status == 401 { credentials.invalidate() }
        let reason = (try? JSONDecoder().decode(Status.self, from: Data(body)))?.message ?? "HTTP \(status)"
        throw KubernetesError(
            code: status == 410 ? .gone : .httpStatus, message: "\(path): \(reason)", httpStatus: status)
    }

    private func makeRequest(path: String, query: [(String, String)], timeout: Duration) throws(KubernetesError)
        -> HTTPRequest
    {
        var headers = ["Accept: application/json", "User-Agent: portico"]
        if let authorization = try credentials.authorizationHeader() { headers.append(authorization) }
        let encoded = query.map { "\($0.0)=\(Self.percentEncode($0.1))" }.joined(separator: "&")
        return HTTPRequest(
            url: credentials.server + path + (encoded.isEmpty ? "" : "?" + encoded), headers: headers,
            tls: try credentials.tlsIdentity(), connectTimeout: config.connectTimeout, timeout: timeout)
    }

    private static let unreserved = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    private static func percentEncode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }
}
