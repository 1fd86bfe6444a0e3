import Foundation
import Logging
import Synchronization

/// Keeps every log message, so a test can check what was logged.
struct CapturingLogHandler: LogHandler {
    final class Store: Sendable {
        private let entries = Mutex<[(level: Logger.Level, message: String)]>([])

        func append(_ level: Logger.Level, _ message: String) { entries.withLock { $0.append((level, message)) } }

        /// The messages logged at `level` or above.
        func messages(atLeast level: Logger.Level = .trace) -> [String] {
            entries.withLock { $0.filter { $0.level >= level }.map(\.message) }
        }
    }

    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        store.append(event.level, event.message.description)
        // DEBUG_LOGS=1 swift test ... prints the log too, to diagnose a failing run.
        if ProcessInfo.processInfo.environment["DEBUG_LOGS"] != nil {
            print("LOG \(ContinuousClock.now) \(event.level) \(event.message) \(event.metadata ?? [:]) \(metadata)")
        }
    }

    /// A logger writing into a new store.
    static func logger() -> (Logger, Store) {
        let store = Store()
        return (Logger(label: "test", factory: { _ in CapturingLogHandler(store: store) }), store)
    }
}
