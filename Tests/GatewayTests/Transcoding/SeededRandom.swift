import Foundation

/// A reproducible random source for the differential tests (SplitMix64): the same seed gives the same
/// messages on every machine. The seed is `PORTICO_DIFFERENTIAL_SEED` when set, else a fresh one per run;
/// every failure names it with the command that reproduces the run.
struct SeededRandom: RandomNumberGenerator {
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
