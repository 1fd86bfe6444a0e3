import Foundation
import Testing

@testable import Discovery

@Suite("Credentials: in-cluster files and kubeconfig")
struct ClusterCredentialsTests {
    /// A directory with a token, a CA and a namespace file, removed at the end.
    final class ServiceAccount {
        let directory: String
        init(token: String = "t1", namespace: String = "shop\n") throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("sa-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try write("token", token)
            try write("ca.crt", "-----BEGIN CERTIFICATE-----\n")
            try write("namespace", namespace)
        }
        deinit { try? FileManager.default.removeItem(atPath: directory) }

        func write(_ name: String, _ text: String) throws {
            try text.write(toFile: "\(directory)/\(name)", atomically: true, encoding: .utf8)
        }

        func paths(_ environment: [String: String]) -> KubernetesConfig.InCluster {
            .init(
                tokenFile: "\(directory)/token", caFile: "\(directory)/ca.crt",
                namespaceFile: "\(directory)/namespace", environment: environment)
        }
    }

    @Test("in-cluster: server from the environment, namespace from its file, token as a header")
    func inCluster() async throws {
        let account = try ServiceAccount()
        let credentials = try ClusterCredentials.inCluster(
            account.paths(["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]),
            refresh: .seconds(60))
        #expect(credentials.server == "https://10.96.0.1:443")
        #expect(credentials.namespace == "shop")
        let authentication = try await credentials.authentication()
        #expect(authentication.authorization == "Authorization: Bearer t1")
        #expect(authentication.tls.caPEM == Array("-----BEGIN CERTIFICATE-----\n".utf8))
    }

    @Test("in-cluster: an IPv6 host is bracketed")
    func inClusterIPv6() throws {
        let account = try ServiceAccount()
        let credentials = try ClusterCredentials.inCluster(
            account.paths(["KUBERNETES_SERVICE_HOST": "fd00::1", "KUBERNETES_SERVICE_PORT": "443"]),
            refresh: .seconds(60))
        #expect(credentials.server == "https://[fd00::1]:443")
    }

    @Test("in-cluster without the environment fails with invalidCredentials")
    func notInCluster() throws {
        let account = try ServiceAccount()
        #expect(throws: KubernetesError.self) {
            try ClusterCredentials.inCluster(account.paths([:]), refresh: .seconds(60))
        }
        do {
            _ = try ClusterCredentials.inCluster(account.paths([:]), refresh: .seconds(60))
        } catch {
            #expect(error.code == .invalidCredentials)
        }
    }

    @Test("a rotated token is picked up once the refresh interval has passed, or at once after invalidate")
    func tokenRotation() async throws {
        let account = try ServiceAccount()
        let slow = try ClusterCredentials.inCluster(
            account.paths(["KUBERNETES_SERVICE_HOST": "h", "KUBERNETES_SERVICE_PORT": "1"]), refresh: .seconds(60))
        let fast = try ClusterCredentials.inCluster(
            account.paths(["KUBERNETES_SERVICE_HOST": "h", "KUBERNETES_SERVICE_PORT": "1"]), refresh: .milliseconds(50))
        try account.write("token", "t2\n")
        let used = try await slow.authentication()
        #expect(used.authorization == "Authorization: Bearer t1")
        #expect(try await eventually { try await fast.authentication().authorization == "Authorization: Bearer t2" })
        slow.invalidate(after: used)
        #expect(try await slow.authentication().authorization == "Authorization: Bearer t2")
    }

    static func kubeconfig(_ text: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "CA-FILE".write(toFile: "\(directory)/ca.pem", atomically: true, encoding: .utf8)
        try "TOKEN-FILE\n".write(toFile: "\(directory)/token", atomically: true, encoding: .utf8)
        try text.write(toFile: "\(directory)/config", atomically: true, encoding: .utf8)
        return "\(directory)/config"
    }

    static let twoContexts = """
        apiVersion: v1
        kind: Config
        current-context: a
        clusters:
        - name: ca
          cluster: {server: "https://a.example:6443/", certificate-authority-data: \(Data("CA-DATA".utf8).base64EncodedString())}
        - name: cb
          cluster: {server: "https://b.example:6443", certificate-authority: ca.pem}
        users:
        - name: ua
          user: {token: inline-token}
        - name: ub
          user: {client-certificate-data: \(Data("CERT".utf8).base64EncodedString()), client-key-data: \(Data("KEY".utf8).base64EncodedString())}
        - name: uc
          user: {tokenFile: TOKENFILE}
        contexts:
        - name: a
          context: {cluster: ca, user: ua, namespace: team-a}
        - name: b
          context: {cluster: cb, user: ub}
        - name: c
          context: {cluster: cb, user: uc}
        """

    /// The credentials of a context of the kubeconfig files at `paths` (separated by `:`).
    static func load(_ paths: String, context: String? = nil) throws(KubernetesError) -> ClusterCredentials {
        try Kubeconfig(paths: paths).credentials(context: context, refresh: .seconds(60), execTimeout: .seconds(5))
    }

    @Test("kubeconfig: the current context with an inline token and CA data")
    func kubeconfigCurrent() async throws {
        let path = try Self.kubeconfig(Self.twoContexts)
        let credentials = try Self.load(path)
        #expect(credentials.server == "https://a.example:6443")
        #expect(credentials.namespace == "team-a")
        let authentication = try await credentials.authentication()
        #expect(authentication.authorization == "Authorization: Bearer inline-token")
        #expect(authentication.tls == TLSIdentity(caPEM: Array("CA-DATA".utf8)))
    }

    @Test("kubeconfig: a chosen context with a client certificate and a CA file relative to the kubeconfig")
    func kubeconfigChosen() async throws {
        let path = try Self.kubeconfig(Self.twoContexts)
        let credentials = try Self.load(path, context: "b")
        #expect(credentials.server == "https://b.example:6443")
        #expect(credentials.namespace == "default")
        let authentication = try await credentials.authentication()
        #expect(authentication.authorization == nil)
        #expect(
            authentication.tls
                == TLSIdentity(
                    caPEM: Array("CA-FILE".utf8), clientCertificatePEM: Array("CERT".utf8),
                    clientKeyPEM: Array("KEY".utf8)))
    }

    @Test("kubeconfig: a token file")
    func kubeconfigTokenFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tf-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "FROM-FILE\n".write(toFile: "\(directory)/tok", atomically: true, encoding: .utf8)
        let path = try Self.kubeconfig(Self.twoContexts.replacingOccurrences(of: "TOKENFILE", with: "\(directory)/tok"))
        let credentials = try Self.load(path, context: "c")
        #expect(try await credentials.authentication().authorization == "Authorization: Bearer FROM-FILE")
    }

    @Test(
        "kubeconfig errors name the problem",
        arguments: [
            ("missing context", "current-context: nope\ncontexts: []\n", "no contexts entry named nope"),
            (
                "no CA",
                "current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: \"https://h\"}}]\nusers: [{name: u, user: {token: t}}]\n",
                "no certificate-authority"
            ),
            (
                "insecure",
                "current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: \"https://h\", insecure-skip-tls-verify: true, certificate-authority-data: QQ==}}]\nusers: [{name: u, user: {token: t}}]\n",
                "insecure-skip-tls-verify"
            ),
            (
                "exec without apiVersion",
                "current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: \"https://h\", certificate-authority-data: QQ==}}]\nusers: [{name: u, user: {exec: {command: aws}}}]\n",
                "exec apiVersion must be one of client.authentication.k8s.io/v1, client.authentication.k8s.io/v1beta1"
            ),
            (
                "exec v1 without interactiveMode",
                "current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: \"https://h\", certificate-authority-data: QQ==}}]\nusers: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: aws}}}]\n",
                "interactiveMode must be given"
            ),
            (
                "interactive exec",
                "current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: \"https://h\", certificate-authority-data: QQ==}}]\nusers: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: kubelogin, interactiveMode: Always}}}]\n",
                "exec plugin kubelogin needs an interactive terminal (interactiveMode: Always); Portico never runs plugins interactively"
            ),
            (
                "no credentials",
                "current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: \"https://h\", certificate-authority-data: QQ==}}]\nusers: [{name: u, user: {}}]\n",
                "neither a token, a client certificate nor an exec plugin"
            ),
            (
                "plain http",
                "current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters: [{name: c, cluster: {server: \"http://h\"}}]\nusers: [{name: u, user: {token: t}}]\n",
                "no https server"
            ),
        ])
    func kubeconfigErrors(name: String, text: String, expected: String) throws {
        let path = try Self.kubeconfig(text)
        do {
            _ = try Self.load(path)
            Issue.record("\(name): loaded")
        } catch {
            #expect(error.code == .invalidCredentials)
            #expect(error.message.contains(expected), "\(name): \(error.message)")
        }
    }
}
