import Discovery
import Synchronization
import Testing

/// Reads a snapshot stream in the background and lets a test wait, with a deadline, for a snapshot that
/// satisfies a condition.
final class SnapshotCollector: Sendable {
    private final class Received: Sendable {
        let snapshots = Mutex<[EndpointSnapshot]>([])
    }

    private let received = Received()
    private let task: Task<Void, Never>

    init(_ stream: AsyncStream<EndpointSnapshot>) {
        let received = self.received
        task = Task {
            for await snapshot in stream { received.snapshots.withLock { $0.append(snapshot) } }
        }
    }

    deinit { task.cancel() }

    /// Every snapshot so far, oldest first.
    var all: [EndpointSnapshot] { received.snapshots.withLock { $0 } }

    /// Stops reading (and with it, watching).
    func stop() { task.cancel() }

    /// Waits until the newest snapshot satisfies `condition`, polling every 10 ms for up to `timeout` (generous: a busy CI machine is slow, and a passing test never waits it out).
    @discardableResult
    func wait(
        timeout: Duration = .seconds(30), sourceLocation: SourceLocation = #_sourceLocation,
        until condition: (EndpointSnapshot) -> Bool
    ) async throws -> EndpointSnapshot {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let last = all.last, condition(last) { return last }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("no matching snapshot; last: \(String(describing: all.last))", sourceLocation: sourceLocation)
        throw CancellationError()
    }
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}

extension EndpointSnapshot {
    /// `host:port` of every endpoint, sorted.
    var addresses: [String] { endpoints.map(\.description).sorted() }
}
