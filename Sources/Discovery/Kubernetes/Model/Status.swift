/// The API's error object (`kind: Status`), sent as an error reply's body or in a watch ERROR event.
struct Status: Decodable, Sendable, Hashable {
    /// The HTTP status it stands for, e.g. 410 for an expired resource version.
    var code: Int?
    /// A machine-readable reason, e.g. `Expired`.
    var reason: String?
    /// A human-readable message.
    var message: String?
}
