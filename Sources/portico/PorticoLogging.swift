import Logging

/// Sets up swift-log for the command: lines on standard error at the chosen level.
enum PorticoLogging {
    static func bootstrap(level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "portico")
    }
}
