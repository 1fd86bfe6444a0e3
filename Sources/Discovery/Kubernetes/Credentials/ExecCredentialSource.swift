import Foundation
import Synchronization

/// Runs an `exec` plugin when a credential is needed and keeps what it printed until it expires or the API
/// server refuses it with a 401.
///
/// Requests that need a credential while the plugin runs wait for that one run instead of starting more.
/// The plugin runs in a task of its own, never with the lock held.
final class ExecCredentialSource: Sendable {
    private enum State {
        case empty
        case running(Task<ExecCredential, any Error>)
        case cached(ExecCredential)
    }

    /// The plugin.
    let plugin: ExecPlugin
    private let now: @Sendable () -> Date
    private let state = Mutex(State.empty)

    /// Creates a source; nothing runs until the first `credential()`.
    /// - Parameter now: the wall clock, against which `expirationTimestamp` is checked.
    init(plugin: ExecPlugin, now: @escaping @Sendable () -> Date = { Date() }) {
        self.plugin = plugin
        self.now = now
    }

    /// The cached credential, or a fresh one from the plugin when there is none or it has expired.
    func credential() async throws(KubernetesError) -> ExecCredential {
        let found: Found = state.withLock { state in
            switch state {
            case .cached(let credential) where !credential.hasExpired(at: now()):
                return .cached(credential)
            case .running(let task):
                return .running(task)
            case .empty, .cached:
                let task = Task { try await self.refresh() }
                state = .running(task)
                return .running(task)
            }
        }
        switch found {
        case .cached(let credential):
            return credential
        case .running(let task):
            do {
                return try await task.value
            } catch let error as KubernetesError {
                throw error
            } catch {
                throw KubernetesError(code: .invalidCredentials, message: "exec plugin \(plugin.command): \(error)")
            }
        }
    }

    private enum Found {
        case cached(ExecCredential)
        case running(Task<ExecCredential, any Error>)
    }

    /// The API server refused `used`: the next request runs the plugin again (unless another request has
    /// already replaced that credential).
    func invalidate(_ used: ExecCredential) {
        state.withLock { state in
            if case .cached(let credential) = state, credential == used { state = .empty }
        }
    }

    private func refresh() async throws(KubernetesError) -> ExecCredential {
        do {
            let credential = try await plugin.run()
            state.withLock { $0 = .cached(credential) }
            return credential
        } catch {
            state.withLock { $0 = .empty }
            throw error
        }
    }
}
