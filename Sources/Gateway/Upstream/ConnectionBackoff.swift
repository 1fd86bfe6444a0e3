import Foundation

/// Delays between attempts to reconnect to an endpoint: exponential with jitter, as gRPC's connection
/// backoff, so that a restarted pod is used again within a few seconds without being hammered meanwhile.
package struct ConnectionBackoff: Sendable {
    /// The delay after the first failure. Default 100 ms.
    package var initial: Duration = .milliseconds(100)
    /// The longest delay. Default 5 s.
    package var maximum: Duration = .seconds(5)
    /// Each failure multiplies the delay by this. Default 1.6.
    package var multiplier: Double = 1.6
    /// Each delay is moved at random by up to this fraction either way. Default 0.2.
    package var jitter: Double = 0.2

    /// The defaults named on each property.
    package static var defaults: ConnectionBackoff { ConnectionBackoff() }

    /// The delay before attempt number `attempt` (1 after the first failure), jittered by `random` in 0..<1.
    package func delay(attempt: Int, random: Double) -> Duration {
        let base = Double(initial.components.seconds) + Double(initial.components.attoseconds) / 1e18
        let cap = Double(maximum.components.seconds) + Double(maximum.components.attoseconds) / 1e18
        let grown = min(cap, base * pow(multiplier, Double(max(0, attempt - 1))))
        let jittered = grown * (1 + jitter * (2 * random - 1))
        return .nanoseconds(Int64(jittered * 1e9))
    }
}
