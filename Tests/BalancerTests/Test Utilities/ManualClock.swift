import Synchronization

/// A clock that moves only when a test advances it.
final class ManualClock: Sendable {
    private let current = Mutex(ContinuousClock.now)

    /// The time now.
    var now: ContinuousClock.Instant {
        current.withLock { $0 }
    }

    /// Moves the clock forward.
    func advance(by duration: Duration) {
        current.withLock { $0 += duration }
    }

    /// The clock as a balancer takes it.
    var reading: @Sendable () -> ContinuousClock.Instant {
        { [self] in now }
    }
}
