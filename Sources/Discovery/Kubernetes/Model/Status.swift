/// The API's error object (`kind: Status`), sent as an error reply's body or in a watch ERROR event.
package struct Status: Decodable, Sendable, Hashable {
    /// The HTTP status it stands for, e.g. 410 for an expired resource version.
    package var code: Int?
    /// A machine-readable reason, e.g. `Expired`.
    package var reason: String?
    /// A human-readable message.
    package var message: String?
}
