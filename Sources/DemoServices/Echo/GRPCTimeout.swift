/// Reads the `grpc-timeout` request header: at most 8 digits and a unit, `H`, `M`, `S`, `m`, `u` or `n`.
///
/// grpc-swift reads the header too, but on a deadline it only signals the RPC's cancellation handle, the same
/// signal it sends when the server shuts down gracefully; the echo service needs to tell the two apart.
enum GRPCTimeout {
    /// The timeout in `value`, or nil if it is malformed.
    static func parse(_ value: String) -> Duration? {
        guard let unit = value.last, (2...9).contains(value.count),
            let amount = Int64(value.dropLast()), amount >= 0
        else {
            return nil
        }
        switch unit {
        case "H": return .seconds(amount * 3600)
        case "M": return .seconds(amount * 60)
        case "S": return .seconds(amount)
        case "m": return .milliseconds(amount)
        case "u": return .microseconds(amount)
        case "n": return .nanoseconds(amount)
        default: return nil
        }
    }
}
