import Balancer
import Foundation

/// A reproducible random source for the differential tests (the balancer's SplitMix64): the same seed gives
/// the same messages on every machine. The seed is `PORTICO_DIFFERENTIAL_SEED` when set, else a fresh one per
/// run; every failure names it with the command that reproduces the run.
struct SeededRandom: RandomNumberGenerator {
    private var generator: SplitMix64

    init(seed: UInt64) {
        generator = SplitMix64(seed: seed)
    }

    mutating func next() -> UInt64 {
        generator.next()
    }

    /// The seed of this test run.
    static let runSeed: UInt64 = {
        if let text = ProcessInfo.processInfo.environment["PORTICO_DIFFERENTIAL_SEED"], let seed = UInt64(text) {
            return seed
        }
        return UInt64.random(in: 0...UInt64(Int64.max))
    }()

    /// What a failure says so that it can be reproduced.
    static var reproduction: String {
        "seed \(runSeed); reproduce with: PORTICO_DIFFERENTIAL_SEED=\(runSeed) swift test --filter DifferentialTests"
    }

    /// True with probability `probability`.
    mutating func chance(_ probability: Double) -> Bool {
        Double.random(in: 0..<1, using: &self) < probability
    }

    /// One of `choices`, at random.
    mutating func pick<T>(_ choices: [T]) -> T {
        choices[Int.random(in: 0..<choices.count, using: &self)]
    }
}
