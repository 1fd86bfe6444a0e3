/// The `grpc-timeout` header: at most eight digits and a unit (H, M, S, m, u, n), as the gRPC over HTTP/2
/// protocol defines it. Clients of the JSON face may send it as `Grpc-Timeout`.
package enum GRPCTimeout {
    /// Parses a header value; nil when it is not a valid timeout.
    package static func parse(_ text: String) -> Duration? {
        let utf8 = text.utf8
        guard let unit = utf8.last, (2...9).contains(utf8.count) else { return nil }
        var value: Int64 = 0
        for byte in utf8.dropLast() {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        switch unit {
        case UInt8(ascii: "H"): return .seconds(value * 3600)
        case UInt8(ascii: "M"): return .seconds(value * 60)
        case UInt8(ascii: "S"): return .seconds(value)
        case UInt8(ascii: "m"): return .milliseconds(value)
        case UInt8(ascii: "u"): return .microseconds(value)
        case UInt8(ascii: "n"): return .nanoseconds(value)
        default: return nil
        }
    }

    /// Formats a remaining time for the header, in the finest unit that fits eight digits
    /// (rounded up, so a backend never sees a shorter deadline than the gateway keeps).
    package static func format(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let nanoseconds = max(0, seconds) * 1_000_000_000 + max(0, attoseconds) / 1_000_000_000
        let units: [(divisor: Int64, unit: String)] = [
            (1, "n"), (1_000, "u"), (1_000_000, "m"), (1_000_000_000, "S"), (60_000_000_000, "M"),
        ]
        for (divisor, unit) in units {
            let value = (nanoseconds + divisor - 1) / divisor
            if value < 100_000_000 { return "\(value)\(unit)" }
        }
        return "\(min((nanoseconds + 3_599_999_999_999) / 3_600_000_000_000, 99_999_999))H"
    }
}
