import Synchronization

/// Lets at most `permits` bodies run at once; the others wait their turn.
///
/// The matrix's largest cases cost a debug build of grpc-swift seconds of CPU each: run all at once on a
/// 2-core machine, they starve each other (and every small call queued behind them) into timeouts.
final class InteropLimiter: Sendable {
    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(permits: Int) {
        state = Mutex(State(available: permits))
    }

    func withPermit<T>(_ body: () async throws -> T) async rethrows -> T {
        await withCheckedContinuation { continuation in
            let granted = state.withLock { state in
                if state.available > 0 {
                    state.available -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
        defer {
            let next = state.withLock { state in
                if state.waiters.isEmpty {
                    state.available += 1
                    return nil as CheckedContinuation<Void, Never>?
                }
                return state.waiters.removeFirst()
            }
            next?.resume()
        }
        return try await body()
    }
}
