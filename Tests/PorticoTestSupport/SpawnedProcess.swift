import Foundation
import Glibc
import Synchronization

/// A long-running child process of a test (a backend, a gateway), started with `posix_spawn`: its standard
/// output and error go to temporary files, it is reaped off the cooperative thread pool, and it is killed
/// when the value goes away.
///
/// Every spawn happens on one thread that lives as long as the test process, because a child's
/// `PR_SET_PDEATHSIG` fires when the *thread* that started it ends, and the threads of the cooperative pool
/// come and go: a helper started from one of them could be killed in the middle of a suite.
package final class SpawnedProcess: Sendable {
    /// The process id.
    package let pid: pid_t
    /// Where its standard output goes.
    package let standardOutputPath: String
    /// Where its standard error goes.
    package let standardErrorPath: String
    private let exit: ExitStatus

    /// Starts `executable` with `arguments`.
    ///
    /// - Parameter dieWithParent: Runs the command under `setpriv --pdeathsig KILL`, for commands that do not
    ///   ask for a parent-death signal themselves: the child is killed if the test process dies.
    package static func start(_ executable: String, _ arguments: [String], dieWithParent: Bool = false) async throws
        -> SpawnedProcess
    {
        let directory = FileManager.default.temporaryDirectory
        let name = URL(fileURLWithPath: executable).lastPathComponent
        let id = UUID().uuidString
        let stdoutPath = directory.appendingPathComponent("portico-\(name)-\(id).out").path
        let stderrPath = directory.appendingPathComponent("portico-\(name)-\(id).err").path
        let command = dieWithParent ? ["/usr/bin/setpriv", "--pdeathsig", "KILL", "--", executable] : [executable]
        let pid = try await Spawner.shared.run {
            try ProcessLaunch.spawn(
                command[0], Array(command.dropFirst()) + arguments, standardOutput: stdoutPath,
                standardError: stderrPath)
        }
        return SpawnedProcess(pid: pid, standardOutputPath: stdoutPath, standardErrorPath: stderrPath)
    }

    private init(pid: pid_t, standardOutputPath: String, standardErrorPath: String) {
        self.pid = pid
        self.standardOutputPath = standardOutputPath
        self.standardErrorPath = standardErrorPath
        self.exit = ExitStatus()
        let exit = self.exit
        Thread.detachNewThread {
            // Wait without reaping, then reap under the lock that `send` takes: a pid is never signalled
            // after it was freed (and perhaps reused).
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
            exit.finish {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                let signal = status & 0x7f
                return signal == 0 ? (status >> 8) & 0xff : 128 + signal
            }
        }
    }

    /// What the process wrote to standard output so far.
    package var standardOutput: String { (try? String(contentsOfFile: standardOutputPath, encoding: .utf8)) ?? "" }
    /// What the process wrote to standard error so far.
    package var standardError: String { (try? String(contentsOfFile: standardErrorPath, encoding: .utf8)) ?? "" }

    /// Whether the process has exited (and been reaped).
    package var hasExited: Bool { exit.status != nil }

    /// Why a process did not become ready.
    package struct NotReady: Error, CustomStringConvertible {
        package var description: String

        package init(description: String) {
            self.description = description
        }
    }

    /// Polls the process's output until `match` finds what it looks for in it, and returns that.
    ///
    /// - Parameters:
    ///   - standardError: Reads standard error instead of standard output.
    ///   - match: Called with the output so far; returns nil until it is there.
    package func waitForOutput<T>(
        inStandardError standardError: Bool = false, timeout: Duration = .seconds(60),
        _ match: (String) -> T?
    ) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while true {
            let output = standardError ? self.standardError : self.standardOutput
            if let found = match(output) { return found }
            if hasExited || ContinuousClock.now >= deadline {
                throw NotReady(
                    description: "\(hasExited ? "exited (\(exit.status ?? -1))" : "timed out"); "
                        + "stdout: \(self.standardOutput.suffix(2000)) stderr: \(self.standardError.suffix(2000))")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The first line the process printed on standard output (e.g. its port), once it is complete.
    package func firstLine(timeout: Duration = .seconds(60)) async throws -> String {
        try await waitForOutput(timeout: timeout) { output in
            output.firstIndex(of: "\n").map { String(output[..<$0]) }
        }
    }

    /// Sends `signal` to the process if it has not exited.
    package func send(_ signal: Int32) {
        // Once reaped, the pid may belong to another process.
        exit.ifRunning { _ = Glibc.kill(pid, signal) }
    }

    /// Sends SIGTERM and waits for the process to exit; SIGKILL after `gracePeriod`.
    ///
    /// - Returns: The exit status, or 128 + the signal that ended it.
    @discardableResult
    package func stop(gracePeriod: Duration = .seconds(10)) async -> Int32 {
        send(SIGTERM)
        let deadline = ContinuousClock.now + gracePeriod
        while !hasExited && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        send(SIGKILL)
        while !hasExited { try? await Task.sleep(for: .milliseconds(5)) }
        return exit.status ?? -1
    }

    deinit {
        send(SIGKILL)
        try? FileManager.default.removeItem(atPath: standardOutputPath)
        try? FileManager.default.removeItem(atPath: standardErrorPath)
    }
}

/// The exit status of a child, set once by the thread that reaps it.
private final class ExitStatus: Sendable {
    private let state = Mutex<Int32?>(nil)

    var status: Int32? { state.withLock { $0 } }

    /// Sets the status that `reap` returns, holding the lock while it runs.
    func finish(_ reap: () -> Int32) {
        state.withLock { $0 = reap() }
    }

    /// Runs `body` while holding the lock, if the process has not been reaped: the pid is still its own.
    func ifRunning(_ body: () -> Void) {
        state.withLock { status in
            if status == nil { body() }
        }
    }
}

/// One thread, alive as long as the process, that runs the spawns handed to it in turn.
private final class Spawner: Sendable {
    static let shared = Spawner()

    private typealias Job = @Sendable () -> Void
    private let jobs = Mutex<[Job]>([])
    private let available = DispatchSemaphore(value: 0)

    private init() {
        let thread = Thread { [self] in
            while true {
                self.available.wait()
                let job = self.jobs.withLock { $0.removeFirst() }
                job()
            }
        }
        thread.name = "portico-test-spawner"
        thread.start()
    }

    /// Runs `body` on the spawner thread and returns its result.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            jobs.withLock { $0.append({ continuation.resume(with: Result(catching: body)) }) }
            available.signal()
        }
    }
}
