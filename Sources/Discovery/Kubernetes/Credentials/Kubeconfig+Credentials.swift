import Foundation

extension Kubeconfig {
    /// The credentials of a context: its cluster's server and CA (file or data), and its user's bearer
    /// token (inline or file), client certificate (file or data) or `exec` plugin; and its namespace.
    /// - Parameters:
    ///   - wanted: the context; nil means `current-context`.
    ///   - refresh: how often token and CA files are read again.
    ///   - execTimeout: how long an `exec` plugin may run.
    func credentials(context wanted: String?, refresh: Duration, execTimeout: Duration) throws(KubernetesError)
        -> ClusterCredentials
    {
        func entry(_ entries: [String: Entry], _ kind: String, _ name: String) throws(KubernetesError) -> Entry {
            guard let found = entries[name] else { throw fail("no \(kind) entry named \(name)") }
            return found
        }
        guard let contextName = wanted ?? currentContext, !contextName.isEmpty else {
            throw fail("no context chosen and no current-context")
        }
        let context = try entry(contexts, "contexts", contextName)
        guard let clusterName = context.fields["cluster"] as? String else {
            throw context.fail("context \(contextName) names no cluster")
        }
        let cluster = try entry(clusters, "clusters", clusterName)
        let user =
            try (context.fields["user"] as? String).map { name throws(KubernetesError) in
                try entry(users, "users", name)
            } ?? Entry(fields: [:], file: context.file)

        guard let server = cluster.fields["server"] as? String, server.hasPrefix("https://") else {
            throw cluster.fail("cluster \(clusterName) has no https server")
        }
        if cluster.fields["insecure-skip-tls-verify"] as? Bool == true {
            throw cluster.fail("cluster \(clusterName) sets insecure-skip-tls-verify; Portico always verifies TLS")
        }
        guard let ca = try cluster.material("certificate-authority-data", "certificate-authority", refresh: refresh)
        else {
            throw cluster.fail(
                "cluster \(clusterName) has no certificate-authority; Portico verifies the server against it")
        }
        var token: ClusterCredentials.Material?
        if let inline = user.fields["token"] as? String {
            token = .bytes(Array(inline.utf8))
        } else if let file = user.fields["tokenFile"] as? String {
            let reader = RefreshingFile(path: user.resolve(file), interval: refresh)
            _ = try reader.contents()
            token = .file(reader)
        }
        var certificate: (ClusterCredentials.Material, ClusterCredentials.Material)?
        if let cert = try user.material("client-certificate-data", "client-certificate", refresh: refresh) {
            guard let key = try user.material("client-key-data", "client-key", refresh: refresh) else {
                throw user.fail("user has a client certificate but no client key")
            }
            certificate = (cert, key)
        }
        var exec: ExecCredentialSource?
        if let fields = user.fields["exec"] as? [String: Any] {
            let plugin = try user.execPlugin(
                fields, server: server, ca: try ca.contents(), cluster: cluster, timeout: execTimeout)
            exec = ExecCredentialSource(plugin: plugin)
        }
        if token == nil && certificate == nil && exec == nil {
            throw user.fail("user has neither a token, a client certificate nor an exec plugin")
        }
        var trimmed = server
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        return ClusterCredentials(
            server: trimmed, namespace: context.fields["namespace"] as? String ?? "default",
            certificateAuthority: ca, token: token, clientCertificate: certificate, exec: exec)
    }
}

extension Kubeconfig.Entry {
    /// PEM material given inline (base64 under `dataKey`) or as a file (under `fileKey`).
    fileprivate func material(_ dataKey: String, _ fileKey: String, refresh: Duration) throws(KubernetesError)
        -> ClusterCredentials.Material?
    {
        if let encoded = fields[dataKey] as? String {
            guard let data = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
                throw fail("\(dataKey) is not base64")
            }
            return .bytes([UInt8](data))
        }
        if let file = fields[fileKey] as? String {
            let reader = RefreshingFile(path: resolve(file), interval: refresh)
            _ = try reader.contents()
            return .file(reader)
        }
        return nil
    }

    /// The user's `exec` section as a plugin to run, with the `KUBERNETES_EXEC_INFO` it will be given.
    fileprivate func execPlugin(
        _ exec: [String: Any], server: String, ca: [UInt8], cluster: Kubeconfig.Entry, timeout: Duration
    ) throws(KubernetesError) -> ExecPlugin {
        guard let apiVersion = exec["apiVersion"] as? String, ExecPlugin.apiVersions.contains(apiVersion) else {
            throw fail(
                "exec apiVersion must be one of \(ExecPlugin.apiVersions.sorted().joined(separator: ", ")), "
                    + "not \(exec["apiVersion"] as? String ?? "none")")
        }
        guard let command = exec["command"] as? String, !command.isEmpty else { throw fail("exec has no command") }
        let mode = exec["interactiveMode"] as? String
        if mode == nil && apiVersion.hasSuffix("/v1") { throw fail("exec interactiveMode must be given for v1") }
        guard mode == nil || ["Never", "IfAvailable", "Always"].contains(mode) else {
            throw fail("exec interactiveMode \(mode ?? "") is not Never, IfAvailable or Always")
        }
        if mode == "Always" {
            throw fail(
                "exec plugin \(command) needs an interactive terminal (interactiveMode: Always); Portico never "
                    + "runs plugins interactively")
        }
        var environment: [String: String] = [:]
        for variable in exec["env"] as? [[String: Any]] ?? [] {
            guard let name = variable["name"] as? String else { throw fail("exec env entry without a name") }
            environment[name] = variable["value"].map { "\($0)" } ?? ""
        }
        var spec: [String: Any] = ["interactive": false]
        if exec["provideClusterInfo"] as? Bool == true {
            var info: [String: Any] = ["server": server, "certificate-authority-data": Data(ca).base64EncodedString()]
            let extensions = cluster.fields["extensions"] as? [[String: Any]] ?? []
            if let config = extensions.first(where: { $0["name"] as? String == "client.authentication.k8s.io/exec" }) {
                info["config"] = config["extension"]
            }
            spec["cluster"] = info
        }
        let request: [String: Any] = ["apiVersion": apiVersion, "kind": "ExecCredential", "spec": spec]
        guard JSONSerialization.isValidJSONObject(request),
            let json = try? JSONSerialization.data(withJSONObject: request, options: [.sortedKeys])
        else { throw cluster.fail("the cluster's exec extension cannot be written as JSON") }
        environment["KUBERNETES_EXEC_INFO"] = String(decoding: json, as: UTF8.self)
        return ExecPlugin(
            apiVersion: apiVersion, command: command.contains("/") ? resolve(command) : command,
            arguments: (exec["args"] as? [Any] ?? []).map { "\($0)" }, environment: environment,
            installHint: exec["installHint"] as? String, timeout: timeout)
    }
}
