import Foundation
import NIOCore
import NIOPosix
import PorticoTestSupport

/// The real `portico` executable, built next to the test bundle, running `serve` as a child process.
final class PorticoProcess {
    let process = Process()
    private let exit: Task<Int32, Never>
    private let logURL: URL

    /// The `portico` binary of this build: next to the test executable, or in the package's `.build/debug`.
    static var executable: URL {
        let besideTests = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0])
            .deletingLastPathComponent().appendingPathComponent("portico")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".build/debug/portico")
    }

    /// Starts `portico serve --config config`, logging to a temporary file.
    init(config: String) throws {
        logURL = FileManager.default.temporaryDirectory.appendingPathComponent("portico-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        process.executableURL = Self.executable
        process.arguments = ["serve", "--config", config]
        process.standardError = try FileHandle(forWritingTo: logURL)
        process.standardOutput = FileHandle.nullDevice
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { process in
            continuation.yield(process.terminationStatus)
            continuation.finish()
        }
        try ProcessLaunch.run(process)
        exit = Task {
            for await status in stream { return status }
            return -1
        }
    }

    /// Sends `signal` to the process.
    func send(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for the process to exit and returns its status, or kills it after `timeout`.
    func waitForExit(timeout: Duration = .seconds(30)) async -> Int32 {
        let pid = process.processIdentifier
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            kill(pid, SIGKILL)
        }
        let status = await exit.value
        watchdog.cancel()
        return status
    }

    /// What the process logged so far.
    var log: String {
        (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: logURL)
    }

    /// Waits until the process logs that it is serving and returns the ports it bound (configure port 0:
    /// picking a free port beforehand races with every other test binding ports meanwhile).
    func boundPorts(timeout: Duration = .seconds(30)) async throws -> (gateway: Int, admin: Int) {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = log.split(separator: "\n").first(where: { $0.contains("portico is serving") }),
                let gateway = Self.port(named: "listen", in: line), let admin = Self.port(named: "admin", in: line)
            {
                return (gateway, admin)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw NotServing(log: log)
    }

    /// The process never logged that it was serving.
    struct NotServing: Error, CustomStringConvertible {
        var log: String
        var description: String { "portico never said it was serving: \(log)" }
    }

    /// The port of `name=host:port` in a log line.
    static func port(named name: String, in line: Substring) -> Int? {
        guard let field = line.split(separator: " ").first(where: { $0.hasPrefix("\(name)=") }),
            let colon = field.lastIndex(of: ":")
        else { return nil }
        return Int(field[field.index(after: colon)...])
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}
