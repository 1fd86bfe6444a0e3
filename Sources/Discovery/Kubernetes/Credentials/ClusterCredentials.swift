import Foundation

/// Where the API server is and how to prove who the gateway is: a CA to verify the server, and a bearer
/// token and/or a client certificate.
struct ClusterCredentials: Sendable {
    /// PEM bytes held in memory or a file reread as it rotates.
    enum Material: Sendable {
        case bytes([UInt8])
        case file(RefreshingFile)

        func contents(reload: Bool = false) throws(KubernetesError) -> [UInt8] {
            switch self {
            case .bytes(let bytes): bytes
            case .file(let file): try file.contents(reload: reload)
            }
        }

        func invalidate() {
            if case .file(let file) = self { file.invalidate() }
        }
    }

    /// `https://host:port`, without a trailing slash.
    var server: String
    /// The namespace of services that name none.
    var namespace: String
    /// The CA bundle the server's certificate must chain to.
    var certificateAuthority: Material
    /// The bearer token, if the client authenticates with one.
    var token: Material?
    /// The client certificate and key, if the client authenticates with one.
    var clientCertificate: (certificate: Material, key: Material)?
    /// The kubeconfig's `exec` credential plugin, if it has one; a token or certificate given above wins
    /// over the plugin's, as in client-go.
    var exec: ExecCredentialSource?

    /// What one request presents: its `Authorization` header and TLS material, and the plugin credential
    /// they came from (so that a 401 discards exactly that one).
    struct Authentication: Sendable {
        /// The `Authorization` header line, if the client uses a token.
        var authorization: String?
        /// The CA and the client certificate.
        var tls: TLSIdentity
        /// The plugin's credential, when one was used.
        var execCredential: ExecCredential?
    }

    /// The authentication for a new request; runs the exec plugin when its credential is missing or expired.
    func authentication() async throws(KubernetesError) -> Authentication {
        var authentication = Authentication(
            authorization: try token.map { token throws(KubernetesError) in Self.bearer(try token.contents()) },
            tls: TLSIdentity(
                caPEM: try certificateAuthority.contents(),
                clientCertificatePEM: try clientCertificate?.certificate.contents(),
                clientKeyPEM: try clientCertificate?.key.contents()))
        if let exec {
            let credential = try await exec.credential()
            authentication.execCredential = credential
            if authentication.authorization == nil {
                authentication.authorization = credential.token.map { Self.bearer(Array($0.utf8)) }
            }
            if authentication.tls.clientCertificatePEM == nil, let identity = credential.clientCertificate {
                authentication.tls.clientCertificatePEM = identity.certificate
                authentication.tls.clientKeyPEM = identity.key
            }
        }
        return authentication
    }

    private static func bearer(_ token: [UInt8]) -> String {
        "Authorization: Bearer \(String(decoding: token, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))"
    }

    /// After a 401: the next request reads the token and CA files again and runs the exec plugin again.
    func invalidate(after used: Authentication) {
        token?.invalidate()
        certificateAuthority.invalidate()
        if let exec, let credential = used.execCredential { exec.invalidate(credential) }
    }

    /// Loads credentials as the config says: from its kubeconfig, or else from the pod's service account.
    static func load(_ config: KubernetesConfig) throws(KubernetesError) -> ClusterCredentials {
        var credentials: ClusterCredentials
        if let path = config.kubeconfig {
            credentials = try Kubeconfig(paths: path).credentials(
                context: config.context, refresh: config.tokenRefreshInterval, execTimeout: config.execTimeout)
        } else {
            credentials = try inCluster(config.inCluster, refresh: config.tokenRefreshInterval)
        }
        if let namespace = config.namespace { credentials.namespace = namespace }
        return credentials
    }

    /// The pod's service account: `KUBERNETES_SERVICE_HOST`/`PORT`, the token, `ca.crt` and `namespace`.
    static func inCluster(
        _ paths: KubernetesConfig.InCluster, refresh: Duration
    ) throws(KubernetesError) -> ClusterCredentials {
        let environment = paths.environment ?? ProcessInfo.processInfo.environment
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty,
            let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty
        else {
            throw KubernetesError(
                code: .invalidCredentials,
                message: "no kubeconfig given and not in a cluster (KUBERNETES_SERVICE_HOST/PORT unset)")
        }
        let token = RefreshingFile(path: paths.tokenFile, interval: refresh)
        let ca = RefreshingFile(path: paths.caFile, interval: refresh)
        _ = try token.contents()
        _ = try ca.contents()
        let namespace = (try? String(contentsOfFile: paths.namespaceFile, encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return ClusterCredentials(
            server: host.contains(":") ? "https://[\(host)]:\(port)" : "https://\(host):\(port)",
            namespace: namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default",
            certificateAuthority: .file(ca), token: .file(token))
    }
}
