import Foundation
import Testing

@testable import Discovery

/// Running a kubeconfig `exec` plugin: the ExecCredential contract in both directions, and its failures.
@Suite("Exec credential plugins")
struct ExecPluginTests {
    /// Loads a kubeconfig whose user runs the fixture's plugin.
    static func plugin(
        _ fixture: ExecPluginFixture, apiVersion: String = "client.authentication.k8s.io/v1",
        interactiveMode: String? = "Never", provideClusterInfo: Bool = false, extraLines: String = "",
        timeout: Duration = .seconds(60)
    ) throws -> ExecPlugin {
        let kubeconfig = """
            current-context: x
            clusters:
            - name: c
              cluster:
                server: https://api.example:6443
                certificate-authority-data: \(Data("THE-CA".utf8).base64EncodedString())
                extensions:
                - name: client.authentication.k8s.io/exec
                  extension: {audience: portico-test, zones: [a, b]}
            contexts: [{name: x, context: {cluster: c, user: u}}]
            users:
            - name: u
              user:
            \(fixture.userYAML(
                apiVersion: apiVersion, interactiveMode: interactiveMode, provideClusterInfo: provideClusterInfo,
                extraLines: extraLines))
            """
        try fixture.write("kubeconfig", kubeconfig)
        let credentials = try Kubeconfig(paths: "\(fixture.directory)/kubeconfig").credentials(
            context: nil, refresh: .seconds(60), execTimeout: timeout)
        return try #require(credentials.exec?.plugin)
    }

    @Test("the plugin gets KUBERNETES_EXEC_INFO (not interactive; the cluster when asked), its args and env")
    func contract() async throws {
        let fixture = try ExecPluginFixture()
        try fixture.reply(token: "abc")
        try fixture.write("echo-env", "PORTICO_TEST_REGION")
        let plugin = try Self.plugin(
            fixture, provideClusterInfo: true,
            extraLines: "      env: [{name: PORTICO_TEST_REGION, value: eu-west-1}]\n")
        let credential = try await plugin.run()
        #expect(credential == ExecCredential(token: "abc"))
        let run = try #require(fixture.runs.first)
        #expect(run["args"] as? [String] == [fixture.directory])
        #expect(run["env"] as? String == "eu-west-1")
        let info = try #require(run["info"] as? [String: Any])
        #expect(info["apiVersion"] as? String == "client.authentication.k8s.io/v1")
        #expect(info["kind"] as? String == "ExecCredential")
        let spec = try #require(info["spec"] as? [String: Any])
        #expect(spec["interactive"] as? Bool == false)
        let cluster = try #require(spec["cluster"] as? [String: Any])
        #expect(cluster["server"] as? String == "https://api.example:6443")
        #expect(cluster["certificate-authority-data"] as? String == Data("THE-CA".utf8).base64EncodedString())
        let config = try #require(cluster["config"] as? [String: Any])
        #expect(config["audience"] as? String == "portico-test")
        #expect(config["zones"] as? [String] == ["a", "b"])
    }

    @Test("without provideClusterInfo the plugin gets no cluster")
    func noClusterInfo() async throws {
        let fixture = try ExecPluginFixture()
        try fixture.reply(token: "abc")
        _ = try await Self.plugin(fixture).run()
        let spec = try #require((fixture.runs.first?["info"] as? [String: Any])?["spec"] as? [String: Any])
        #expect(spec["cluster"] == nil)
        #expect(spec["interactive"] as? Bool == false)
    }

    @Test("v1beta1 plugins run (interactiveMode optional); the reply must be in the version asked for")
    func v1beta1() async throws {
        let fixture = try ExecPluginFixture()
        let beta = "client.authentication.k8s.io/v1beta1"
        try fixture.reply(token: "beta-token", apiVersion: beta)
        let plugin = try Self.plugin(fixture, apiVersion: beta, interactiveMode: nil)
        #expect(try await plugin.run().token == "beta-token")
        try fixture.reply(token: "v1-token")
        do {
            _ = try await plugin.run()
            Issue.record("a v1 reply to a v1beta1 request was accepted")
        } catch {
            #expect(error.message.contains("answered in client.authentication.k8s.io/v1, asked for \(beta)"))
        }
    }

    @Test("a client certificate and key, and an expiration, are read from the reply")
    func certificateAndExpiration() async throws {
        let fixture = try ExecPluginFixture()
        try fixture.reply(certificate: "CERT-PEM", key: "KEY-PEM", expiration: "2030-01-02T03:04:05Z")
        let credential = try await Self.plugin(fixture).run()
        #expect(credential.token == nil)
        #expect(credential.clientCertificate == .init(certificate: Array("CERT-PEM".utf8), key: Array("KEY-PEM".utf8)))
        #expect(credential.expiration == Date(timeIntervalSince1970: 1_893_553_445))
    }

    @Test(
        "expirationTimestamp is RFC 3339",
        arguments: [
            ("2030-01-02T03:04:05Z", 1_893_553_445.0), ("2030-01-02T03:04:05.250Z", 1_893_553_445.25),
            ("2030-01-02T04:04:05+01:00", 1_893_553_445.0),
        ])
    func rfc3339(text: String, seconds: Double) throws {
        let date = try #require(ExecCredential.parseRFC3339(text))
        #expect(abs(date.timeIntervalSince1970 - seconds) < 0.001)
    }

    @Test("a failing plugin's error names the command, its exit status and its standard error")
    func failure() async throws {
        let fixture = try ExecPluginFixture()
        try fixture.write("status", "3")
        try fixture.write("stderr", "the SSO session has expired; run aws sso login\n")
        let plugin = try Self.plugin(fixture)
        do {
            _ = try await plugin.run()
            Issue.record("the plugin succeeded")
        } catch {
            #expect(error.code == .invalidCredentials)
            #expect(
                error.message
                    == "exec plugin \(ExecPluginFixture.script) exited with status 3: the SSO session has expired; run aws sso login"
            )
        }
    }

    @Test(
        "output that is not a credential is refused, saying why",
        arguments: [
            ("not json", "is not an ExecCredential"),
            (
                #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}"#,
                "neither a token nor a client certificate"
            ),
            (#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential"}"#, "no status"),
            (
                #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t","expirationTimestamp":"tomorrow"}}"#,
                "not an RFC 3339 time"
            ),
            (
                #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"C"}}"#,
                "without the other"
            ),
        ])
    func badOutput(reply: String, expected: String) async throws {
        let fixture = try ExecPluginFixture()
        try fixture.write("reply", reply)
        let plugin = try Self.plugin(fixture)
        do {
            _ = try await plugin.run()
            Issue.record("accepted \(reply)")
        } catch {
            #expect(error.message.contains(expected), "\(error)")
        }
    }

    @Test("a plugin that outlives its timeout is killed and the error says so")
    func timeout() async throws {
        let fixture = try ExecPluginFixture()
        try fixture.reply(token: "late")
        try fixture.write("sleep", "600")
        let plugin = try Self.plugin(fixture, timeout: .milliseconds(500))
        let started = ContinuousClock.now
        do {
            _ = try await plugin.run()
            Issue.record("the plugin finished")
        } catch {
            #expect(error.message.contains("timed out"), "\(error)")
        }
        // Killed, not waited for; the full suite in parallel can delay this task's resumption by seconds.
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test("a plugin that cannot be started fails with the kubeconfig's install hint")
    func installHint() async throws {
        let fixture = try ExecPluginFixture()
        var plugin = try Self.plugin(fixture, extraLines: "      installHint: install portico-auth first\n")
        plugin.command = "/nonexistent/portico-auth"
        do {
            _ = try await plugin.run()
            Issue.record("it ran")
        } catch {
            #expect(error.message.contains("exec plugin /nonexistent/portico-auth: cannot start"), "\(error)")
            #expect(error.message.contains("install portico-auth first"), "\(error)")
        }
    }
}
