import Foundation
import Logging

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

    /// Lists a collection, in pages of `listPageSize` objects joined through `continue` tokens. When the
    /// snapshot the pages come from expires (410 Gone for a `continue` token), the whole collection is
    /// listed again in one request, as client-go's pager does.
    /// - Throws: `gone` on another 410, `httpStatus` on any other error status.
    func list<Object: KubernetesObject>(
        _ type: Object.Type, path: String, query: [(String, String)], logger: Logger
    ) async throws(KubernetesError) -> ObjectList<Object> {
        var items: [Object] = []
        var pageSize = config.listPageSize
        var token: String?
        while true {
            var pageQuery = query
            if pageSize > 0 { pageQuery.append(("limit", String(pageSize))) }
            if let token { pageQuery.append(("continue", token)) }
            let page: ObjectList<Object>
            do {
                page = try await get(ObjectList<Object>.self, path: path, query: pageQuery)
            } catch  where error.code == .gone && token != nil {
                logger.info("list continue token expired, listing in one request", metadata: ["path": "\(path)"])
                (items, pageSize, token) = ([], 0, nil)
                continue
            }
            items += page.items
            guard let next = page.metadata.continue, !next.isEmpty else {
                return ObjectList(metadata: page.metadata, items: items)
            }
            token = next
        }
    }

    private func get<Reply: Decodable>(
        _ type: Reply.Type, path: String, query: [(String, String)]
    ) async throws(KubernetesError) -> Reply {
        var response = try await send(path: path, query: query, timeout: config.listTimeout)
        let body = try await response.body()
        guard response.status == 200 else { throw failure(status: response.status, body: body, path: path) }
        do {
            return try JSONDecoder().decode(Reply.self, from: Data(body))
        } catch {
            throw KubernetesError(code: .invalidResponse, message: "list \(path): \(error)")
        }
    }

    /// Starts a watch and waits for its status; the caller reads the events from the response. `timeout`
    /// bounds the transfer, `watchIdleTimeout` the silence between two bytes.
    func watch(
        path: String, query: [(String, String)], timeout: Duration
    ) async throws(KubernetesError) -> KubernetesResponse {
        try await send(path: path, query: query, timeout: timeout, idleTimeout: config.watchIdleTimeout)
    }

    /// Sends a GET and waits for its status. A 401 discards the credentials that were refused (token and CA
    /// files are read again, the exec plugin runs again) and the request is sent once more.
    private func send(
        path: String, query: [(String, String)], timeout: Duration, idleTimeout: Duration? = nil
    ) async throws(KubernetesError) -> KubernetesResponse {
        let encoded = query.map { "\($0.0)=\(Self.percentEncode($0.1))" }.joined(separator: "&")
        let url = credentials.server + path + (encoded.isEmpty ? "" : "?" + encoded)
        var attempt = 1
        while true {
            let authentication = try await credentials.authentication()
            var headers = ["Accept: application/json", "User-Agent: portico"]
            if let authorization = authentication.authorization { headers.append(authorization) }
            let request = HTTPRequest(
                url: url, headers: headers, tls: authentication.tls, connectTimeout: config.connectTimeout,
                timeout: timeout, idleTimeout: idleTimeout)
            var parts = loop.perform(request).makeAsyncIterator()
            let status: Int
            do {
                guard case .head(let code)? = try await parts.next() else {
                    throw KubernetesError(code: .invalidResponse, message: "\(path): a response without a status")
                }
                status = code
            } catch let error as KubernetesError {
                throw error
            } catch let error as CurlError {
                throw KubernetesError(code: .transport, message: "\(path): \(error.message)", curlCode: error.code)
            } catch {
                throw KubernetesError(code: .transport, message: "\(path): cancelled")
            }
            if status == 401 {
                credentials.invalidate(after: authentication)
                if attempt == 1 {
                    attempt += 1
                    continue
                }
            }
            return KubernetesResponse(status: status, path: path, parts: parts)
        }
    }

    /// The error an error status stands for: `gone` for 410, else `httpStatus`, with the Status's message.
    func failure(status: Int, body: [UInt8], path: String) -> KubernetesError {
        let reason = (try? JSONDecoder().decode(Status.self, from: Data(body)))?.message ?? "HTTP \(status)"
        return KubernetesError(
            code: status == 410 ? .gone : .httpStatus, message: "\(path): \(reason)", httpStatus: status)
    }

    private static let unreserved = CharacterSet(
        charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    private static func percentEncode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }
}
