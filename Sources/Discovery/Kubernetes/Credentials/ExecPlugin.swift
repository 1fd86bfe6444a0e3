import Foundation

/// A kubeconfig user's `exec` credential plugin (what EKS, GKE and AKS kubeconfigs use): the command that
/// prints an `ExecCredential`, and how to run it. Portico never runs a plugin interactively.
struct ExecPlugin: Sendable, Hashable {
    /// `client.authentication.k8s.io/v1` or `v1beta1`; the plugin answers in the same version.
    var apiVersion: String
    /// The command: an absolute path, or a name looked up in `PATH` (a relative path with a slash in it is
    /// resolved against the kubeconfig's directory when the kubeconfig is read).
    var command: String
    /// Its arguments.
    var arguments: [String]
    /// Variables added to the gateway's environment, `KUBERNETES_EXEC_INFO` among them.
    var environment: [String: String]
    /// The kubeconfig's hint for installing a missing command.
    var installHint: String?
    /// A command still running after this is killed.
    var timeout: Duration

    /// The API versions of the ExecCredential contract Portico speaks.
    static let apiVersions: Set<String> = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]

    /// A plugin printing more than this is refused: a credential is a few kilobytes.
    static let outputLimit = 1 << 20

    /// Runs the command and decodes the credential it prints.
    /// - Throws: `invalidCredentials`, naming the command and its exit status and standard error, when the
    ///   command cannot be started, fails, or prints no valid credential.
    func run() async throws(KubernetesError) -> ExecCredential {
        let output: ChildProcess.Output
        do {
            output = try await ChildProcess.run(
                command, arguments: arguments, environment: environment, outputLimit: Self.outputLimit,
                timeout: timeout)
        } catch {
            var message = "exec plugin \(command): \(error.description)"
            if !error.started, let installHint { message += " (\(installHint))" }
            throw fail(message, standardError: error.standardError)
        }
        guard output.status == 0 else {
            throw fail(
                "exec plugin \(command) exited with status \(output.status)", standardError: output.standardError)
        }
        do {
            return try ExecCredential(decoding: output.standardOutput, apiVersion: apiVersion)
        } catch {
            throw fail("exec plugin \(command): \(error.description)", standardError: output.standardError)
        }
    }

    private func fail(_ message: String, standardError: [UInt8]) -> KubernetesError {
        let errors = String(decoding: standardError, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return KubernetesError(code: .invalidCredentials, message: errors.isEmpty ? message : "\(message): \(errors)")
    }
}
