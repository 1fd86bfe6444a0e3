import Foundation
import Testing

@testable import Discovery

/// Several kubeconfig files, merged as kubectl merges the files of `KUBECONFIG`.
@Suite("Kubeconfig: several files merged")
struct KubeconfigTests {
    /// A new directory holding `files` (name to contents).
    static func directory(_ files: [String: String]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kcm-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8) }
        return directory
    }

    static func load(_ paths: [String], context: String? = nil) throws(KubernetesError) -> ClusterCredentials {
        try Kubeconfig(paths: paths.joined(separator: ":")).credentials(
            context: context, refresh: .seconds(60), execTimeout: .seconds(5))
    }

    static func base64(_ text: String) -> String { Data(text.utf8).base64EncodedString() }

    @Test("two files: the first to name a cluster, user or context wins; current-context from the first that sets it")
    func twoFiles() async throws {
        let first = try Self.directory([
            "config": """
            clusters:
            - name: shared
              cluster: {server: "https://first.example", certificate-authority-data: \(Self.base64("CA-1"))}
            users:
            - name: me
              user: {token: from-first}
            contexts:
            - name: work
              context: {cluster: shared, user: me, namespace: first-ns}
            """
        ])
        let second = try Self.directory([
            "ca.pem": "CA-2",
            "config": """
            current-context: work
            clusters:
            - name: shared
              cluster: {server: "https://second.example", certificate-authority-data: \(Self.base64("CA-X"))}
            - name: only-second
              cluster: {server: "https://only-second.example", certificate-authority: ca.pem}
            users:
            - name: me
              user: {token: from-second}
            contexts:
            - name: work
              context: {cluster: only-second, user: me, namespace: second-ns}
            - name: lab
              context: {cluster: only-second, user: me}
            """,
        ])
        let current = try Self.load(["\(first)/config", "\(second)/config"])
        #expect(current.server == "https://first.example")
        #expect(current.namespace == "first-ns")
        let authentication = try await current.authentication()
        #expect(authentication.authorization == "Authorization: Bearer from-first")
        #expect(authentication.tls.caPEM == Array("CA-1".utf8))

        let lab = try Self.load(["\(first)/config", "\(second)/config"], context: "lab")
        #expect(lab.server == "https://only-second.example")
        #expect(try await lab.authentication().authorization == "Authorization: Bearer from-first")
        #expect(try await lab.authentication().tls.caPEM == Array("CA-2".utf8), "ca.pem beside the second file")

        let reversed = try Self.load(["\(second)/config", "\(first)/config"])
        #expect(reversed.server == "https://only-second.example")
        #expect(try await reversed.authentication().authorization == "Authorization: Bearer from-second")
    }

    @Test("three files, one missing: relative paths resolve against the file holding the entry")
    func threeFiles() async throws {
        let users = try Self.directory([
            "token": "TOKEN-BESIDE-USERS\n",
            "client.crt": "CERT", "client.key": "KEY",
            "config": """
            users:
            - name: me
              user: {tokenFile: token, client-certificate: client.crt, client-key: client.key}
            """,
        ])
        let clusters = try Self.directory([
            "ca.pem": "CA-BESIDE-CLUSTERS",
            "config": """
            current-context: from-clusters-file
            clusters:
            - name: c
              cluster: {server: "https://c.example:6443", certificate-authority: ca.pem}
            contexts:
            - name: from-clusters-file
              context: {cluster: c, user: me, namespace: a}
            """,
        ])
        let contexts = try Self.directory([
            "config": """
            current-context: from-contexts-file
            contexts:
            - name: from-contexts-file
              context: {cluster: c, user: me, namespace: b}
            """
        ])
        let credentials = try Self.load([
            "\(users)/config", "\(users)/missing", "\(clusters)/config", "\(contexts)/config",
        ])
        #expect(credentials.namespace == "a", "the first current-context set wins")
        let authentication = try await credentials.authentication()
        #expect(authentication.authorization == "Authorization: Bearer TOKEN-BESIDE-USERS")
        #expect(
            authentication.tls
                == TLSIdentity(
                    caPEM: Array("CA-BESIDE-CLUSTERS".utf8), clientCertificatePEM: Array("CERT".utf8),
                    clientKeyPEM: Array("KEY".utf8)))
        let other = try Self.load(
            ["\(users)/config", "\(clusters)/config", "\(contexts)/config"], context: "from-contexts-file")
        #expect(other.namespace == "b")
    }

    @Test("an exec command with a slash is relative to its file; one without is left to PATH")
    func execCommandPath() throws {
        let directory = try Self.directory([
            "config": """
            current-context: x
            clusters: [{name: c, cluster: {server: "https://h", certificate-authority-data: QQ==}}]
            users:
            - {name: relative, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: ./bin/get-token, interactiveMode: Never}}}
            - {name: bare, user: {exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: aws, args: [eks, get-token]}}}
            contexts:
            - {name: x, context: {cluster: c, user: relative}}
            - {name: y, context: {cluster: c, user: bare}}
            """
        ])
        let relative = try Self.load(["\(directory)/config"])
        #expect(relative.exec?.plugin.command == "\(directory)/bin/get-token")
        let bare = try Self.load(["\(directory)/config"], context: "y")
        #expect(bare.exec?.plugin.command == "aws")
        #expect(bare.exec?.plugin.arguments == ["eks", "get-token"])
    }

    @Test("when no file exists, the error names them all")
    func noneExists() throws {
        do {
            _ = try Self.load(["/nonexistent/a", "/nonexistent/b"])
            Issue.record("loaded")
        } catch {
            #expect(error.code == .invalidCredentials)
            #expect(error.message.contains("/nonexistent/a:/nonexistent/b"), "\(error)")
        }
    }
}
