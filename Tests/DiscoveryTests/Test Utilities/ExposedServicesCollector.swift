import Discovery
import Synchronization
import Testing

/// Reads an `exposedServices` stream in the background and lets a test wait, with a deadline, for a set
/// that satisfies a condition.
final class ExposedServicesCollector: Sendable {
    private final class Received: Sendable {
        let sets = Mutex<[[ExposedService]]>([])
    }

    private let received = Received()
    private let task: Task<Void, Never>

    init(_ stream: AsyncStream<[ExposedService]>) {
        let received = self.received
        task = Task {
            for await set in stream { received.sets.withLock { $0.append(set) } }
        }
    }

    deinit { task.cancel() }

    /// Every set so far, oldest first.
    var all: [[ExposedService]] { received.sets.withLock { $0 } }

    /// Stops reading (and with it, the feed).
    func stop() { task.cancel() }

    /// Waits until the newest set satisfies `condition`, polling every 10 ms for up to `timeout` (generous:
    /// a busy machine is slow, and a passing test never waits it out).
    @discardableResult
    func wait(
        timeout: Duration = .seconds(30), sourceLocation: SourceLocation = #_sourceLocation,
        until condition: ([ExposedService]) -> Bool
    ) async throws -> [ExposedService] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let last = all.last, condition(last) { return last }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("no matching set; last: \(String(describing: all.last))", sourceLocation: sourceLocation)
        throw CancellationError()
    }

    /// Waits until the newest set holds exactly these backends (`namespace/name`, in order).
    @discardableResult
    func wait(
        for backends: [String], timeout: Duration = .seconds(30), sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> [ExposedService] {
        try await wait(timeout: timeout, sourceLocation: sourceLocation) { $0.map(\.backendName) == backends }
    }
}
