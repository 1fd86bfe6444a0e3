import Foundation
import Synchronization

/// A small file read again once its copy is older than an interval (or on demand), for credentials that
/// the kubelet rotates in place: the service-account token and the CA bundle.
final class RefreshingFile: Sendable {
    /// The file's path.
    let path: String
    private let interval: Duration
    private let cache = Mutex<(contents: [UInt8], readAt: ContinuousClock.Instant)?>(nil)

    /// Creates a reader; nothing is read until the first `contents()`.
    init(path: String, interval: Duration) {
        self.path = path
        self.interval = interval
    }

    /// The file's contents, read again when the copy is older than the interval or when `reload` is set.
    func contents(reload: Bool = false) throws(KubernetesError) -> [UInt8] {
        let now = ContinuousClock.now
        if !reload, let cached = cache.withLock({ $0 }), now - cached.readAt < interval {
            return cached.contents
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubernetesError(code: .invalidCredentials, message: "cannot read \(path)")
        }
        let contents = [UInt8](data)
        cache.withLock { $0 = (contents, now) }
        return contents
    }

    /// The next `contents()` reads the file again.
    func invalidate() { cache.withLock { $0 = nil } }
}
