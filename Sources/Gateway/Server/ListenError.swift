import Foundation
import NIOCore

/// The gateway cannot listen where its config says: which listener, where, and why, as the system put it.
public struct ListenError: Error, CustomStringConvertible, Sendable {
    /// The config key of the listener: `listen` or `admin`.
    public var key: String
    /// The address it was to listen on.
    public var address: SocketAddressText
    /// The system's reason, such as "Address already in use".
    public var reason: String

    init(key: String, address: SocketAddressText, cause: any Error) {
        self.key = key
        self.address = address
        if let failure = cause as? IOError {
            reason = String(cString: strerror(failure.errnoCode))
        } else {
            reason = "\(cause)"
        }
    }

    public var description: String {
        "cannot listen on \(address) (`\(key)` in the config): \(reason)"
    }
}
