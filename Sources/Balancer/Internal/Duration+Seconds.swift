extension Duration {
    /// The duration in seconds, as the balancer's arithmetic uses it.
    var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
