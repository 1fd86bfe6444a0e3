import Synchronization

/// Which watched services have not completed their first sync yet (what `/readyz` waits for).
final class SyncTracker: Sendable {
    private let state = Mutex<(nextID: Int, unsynced: Set<Int>)>((0, []))

    /// Registers a new watch as not yet synced and returns its id.
    func register() -> Int {
        state.withLock {
            $0.nextID += 1
            $0.unsynced.insert($0.nextID)
            return $0.nextID
        }
    }

    /// The watch has synced, or stopped: it no longer holds readiness back.
    func settle(_ id: Int) { _ = state.withLock { $0.unsynced.remove(id) } }

    /// Whether every registered watch has synced.
    var isSynced: Bool { state.withLock { $0.unsynced.isEmpty } }
}
