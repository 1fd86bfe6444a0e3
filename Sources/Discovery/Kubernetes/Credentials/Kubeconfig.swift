import Foundation
import Yams

/// Reads the parts of a kubeconfig file that name a cluster and a user: server, CA (file or data), bearer
/// token (inline or file) or client certificate (file or data), and the context's namespace.
enum Kubeconfig {
    static func load(path: String, context wanted: String?, refresh: Duration) throws(KubernetesError)
        -> ClusterCredentials
    {
        let path = (path as NSString).expandingTildeInPath
        let base = URL(fileURLWithPath: path).deletingLastPathComponent()
        func fail(_ message: String) -> KubernetesError {
            KubernetesError(code: .invalidCredentials, message: "\(path): \(message)")
        }
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw fail("cannot read") }
        let root: [String: Any]
        do {
            guard let loaded = try Yams.load(yaml: text) as? [String: Any] else { throw fail("not a mapping") }
            root = loaded
        } catch let error as KubernetesError {
            throw error
        } catch {
            throw fail("not YAML: \(error)")
        }

        func entry(_ list: String, _ name: String, _ field: String) throws(KubernetesError) -> [String: Any] {
            let entries = root[list] as? [[String: Any]] ?? []
            guard let found = entries.first(where: { $0["name"] as? String == name }) else {
                throw fail("no \(list) entry named \(name)")
            }
            return found[field] as? [String: Any] ?? [:]
        }
        guard let contextName = wanted ?? root["current-context"] as? String, !contextName.isEmpty else {
            throw fail("no context chosen and no current-context")
        }
        let context = try entry("contexts", contextName, "context")
        guard let clusterName = context["cluster"] as? String else {
            throw fail("context \(contextName) names no cluster")
        }
        let cluster = try entry("clusters", clusterName, "cluster")
        let user =
            try (context["user"] as? String).map { name throws(KubernetesError) in
                try entry("users", name, "user")
            } ?? [:]

        guard let server = cluster["server"] as? String, server.hasPrefix("https://") else {
            throw fail("cluster \(clusterName) has no https server")
        }
        if cluster["insecure-skip-tls-verify"] as? Bool == true {
            throw fail("cluster \(clusterName) sets insecure-skip-tls-verify; Portico always verifies TLS")
        }
        func material(_ dataKey: String, _ fileKey: String, in map: [String: Any]) throws(KubernetesError)
            -> ClusterCredentials.Material?
        {
            if let encoded = map[dataKey] as? String {
                guard let data = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
                    throw fail("\(dataKey) is not base64")
                }
                return .bytes([UInt8](data))
            }
            if let file = map[fileKey] as? String {
                let resolved = file.hasPrefix("/") ? file : base.appendingPathComponent(file).path
                let reader = RefreshingFile(path: resolved, interval: refresh)
                _ = try reader.contents()
                return .file(reader)
            }
            return nil
        }
        guard let ca = try material("certificate-authority-data", "certificate-authority", in: cluster) else {
            throw fail("cluster \(clusterName) has no certificate-authority; Portico verifies the server against it")
        }
        var token: ClusterCredentials.Material?
        if let inline = user["token"] as? String {
            token = .bytes(Array(inline.utf8))
        } else if let file = user["tokenFile"] as? String {
            let reader = RefreshingFile(path: file, interval: refresh)
            _ = try reader.contents()
            token = .file(reader)
        }
        var certificate: (ClusterCredentials.Material, ClusterCredentials.Material)?
        if let cert = try material("client-certificate-data", "client-certificate", in: user) {
            guard let key = try material("client-key-data", "client-key", in: user) else {
                throw fail("user has a client certificate but no client key")
            }
            certificate = (cert, key)
        }
        if user["exec"] != nil && token == nil && certificate == nil {
            throw fail("exec credential plugins are not supported; use a token or a client certificate")
        }
        if token == nil && certificate == nil { throw fail("user has neither a token nor a client certificate") }
        var trimmed = server
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        return ClusterCredentials(
            server: trimmed, namespace: context["namespace"] as? String ?? "default", certificateAuthority: ca,
            token: token, clientCertificate: certificate)
    }
}
