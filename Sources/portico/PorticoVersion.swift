/// The version `portico --version` prints.
enum PorticoVersion {
    /// Raised by hand with each release; `-dev` until the first.
    static let current = "0.1.0-dev"
}
