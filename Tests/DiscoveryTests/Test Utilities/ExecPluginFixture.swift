import Foundation

/// A directory steering `Tests/helpers/exec_credential_plugin.py`: what the plugin prints, its exit status,
/// its standard error, how long it sleeps, and the record of its runs.
final class ExecPluginFixture: Sendable {
    /// The directory, passed to the plugin as its argument.
    let directory: String

    /// The plugin script's absolute path.
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("helpers/exec_credential_plugin.py").path

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("exec-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    /// Writes one of the steering files (`reply`, `status`, `stderr`, `sleep`, `echo-env`).
    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8)
    }

    /// Makes the plugin print an ExecCredential.
    func reply(
        token: String? = nil, certificate: String? = nil, key: String? = nil, expiration: String? = nil,
        apiVersion: String = "client.authentication.k8s.io/v1"
    ) throws {
        var status: [String: String] = [:]
        status["token"] = token
        status["clientCertificateData"] = certificate
        status["clientKeyData"] = key
        status["expirationTimestamp"] = expiration
        let reply: [String: Any] = ["apiVersion": apiVersion, "kind": "ExecCredential", "status": status]
        try write("reply", String(decoding: try JSONSerialization.data(withJSONObject: reply), as: UTF8.self))
    }

    /// Every run so far: its arguments, its `KUBERNETES_EXEC_INFO` and the echoed variable.
    var runs: [[String: Any]] {
        let text = (try? String(contentsOfFile: "\(directory)/runs", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// The kubeconfig `user:` mapping running this plugin, indented for `KubeAPIServer.kubeconfig(user:)`.
    func userYAML(
        apiVersion: String = "client.authentication.k8s.io/v1", interactiveMode: String? = "Never",
        provideClusterInfo: Bool = false, extraLines: String = ""
    ) -> String {
        var text = """
                exec:
                  apiVersion: \(apiVersion)
                  command: \(Self.script)
                  args: [\(directory)]
                  provideClusterInfo: \(provideClusterInfo)

            """
        if let interactiveMode { text += "      interactiveMode: \(interactiveMode)\n" }
        return text + extraLines
    }
}
