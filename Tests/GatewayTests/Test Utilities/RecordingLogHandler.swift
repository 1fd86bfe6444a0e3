import Logging
import Synchronization

/// A log handler that keeps every line, for tests that check what is logged.
struct RecordingLogHandler: LogHandler {
    struct Line: Sendable {
        var message: String
        var metadata: [String: String]
    }

    /// The lines logged through every handler sharing this store.
    final class Store: Sendable {
        private let lines = Mutex<[Line]>([])

        var all: [Line] { lines.withLock { $0 } }

        func append(_ line: Line) { lines.withLock { $0.append(line) } }

        /// A logger writing here.
        func logger() -> Logger {
            Logger(label: "recorded") { _ in RecordingLogHandler(store: self) }
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
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        store.append(Line(message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
    }
}
