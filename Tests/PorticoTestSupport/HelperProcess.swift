import Foundation
import Synchronization

/// A child process of a test: always killed when the value is stopped, and (for scripts that ask for it with
/// `PR_SET_PDEATHSIG`) when the test process dies.
package final class HelperProcess: Sendable {
    package struct Output: Sendable {
        package var status: Int32
        package var standardOutput: String
        package var standardError: String
    }

    private let process: Mutex<Process>

    private init(process: Process) {
        self.process = Mutex(process)
    }

    /// Runs a command to completion (killed after `timeout` seconds) and returns its output.
    package static func run(_ executable: String, _ arguments: [String], timeout: Double = 20) async throws -> Output {
        let directory = FileManager.default.temporaryDirectory
        let stdoutURL = directory.appendingPathComponent("portico-\(UUID().uuidString).out")
        let stderrURL = directory.appendingPathComponent("portico-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: stdoutURL)
            try? FileManager.default.removeItem(at: stderrURL)
        }
        let status = try await ProcessLaunch.runToCompletion(
            executable, arguments, standardOutput: stdoutURL.path, standardError: stderrURL.path, timeout: timeout)
        return Output(
            status: status,
            standardOutput: (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "",
            standardError: (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
        )
    }

    /// Starts a long-running helper that prints one line (e.g. its port) when ready, and returns it with that line.
    package static func startPrintingReadyLine(_ executable: String, _ arguments: [String]) async throws -> (
        HelperProcess, String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try ProcessLaunch.run(process)
        let helper = HelperProcess(process: process)
        let line = await withCheckedContinuation { continuation in
            Thread {
                var bytes: [UInt8] = []
                let handle = pipe.fileHandleForReading
                while !bytes.contains(UInt8(ascii: "\n")) {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    bytes += chunk
                }
                let text = String(decoding: bytes, as: UTF8.self)
                continuation.resume(returning: String(text.prefix { $0 != "\n" }))
            }.start()
        }
        return (helper, line)
    }

    /// Kills the process (SIGKILL) if it still runs.
    package func kill() {
        self.process.withLock { process in
            if process.isRunning {
                Foundation.kill(process.processIdentifier, SIGKILL)
            }
        }
    }

    /// Kills the process and waits for it to be gone.
    package func stop() {
        self.kill()
        self.process.withLock { $0.waitUntilExit() }
    }

    deinit {
        self.kill()
    }
}
