import Synchronization

/// A random source that returns numbers a test queues, and numbers from a fixed seed when the queue is empty.
///
/// The balancer maps a number `x` to `x % bound`, so a queued value below the bound is the index drawn; the
/// second index of a pair is drawn below `count - 1` and shifted up by one when it is not below the first.
/// Copies share one queue, so a test keeps a copy and queues draws just before the pick they steer.
struct ScriptedRandom: RandomNumberGenerator, Sendable {
    private final class Queue: Sendable {
        let values = Mutex<(queued: [UInt64], fallback: SplitMixForTests)>(([], SplitMixForTests(seed: 1)))
    }

    private let storage = Queue()

    /// Queues numbers to be returned next, in order.
    func queue(_ values: UInt64...) {
        storage.values.withLock { $0.queued.append(contentsOf: values) }
    }

    /// Whether every queued number has been used.
    var isDrained: Bool {
        storage.values.withLock { $0.queued.isEmpty }
    }

    mutating func next() -> UInt64 {
        storage.values.withLock { values in
            values.queued.isEmpty ? values.fallback.next() : values.queued.removeFirst()
        }
    }
}

/// SplitMix64, written out here so the tests' randomness does not depend on the code under test.
struct SplitMixForTests: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
