import CProcessSpawn
import Foundation
import Glibc
import Synchronization

/// Runs a short-lived command (an `exec` credential plugin) to completion and returns what it printed.
///
/// The command is started with `posix_spawn`, not Foundation's `Process` (which crashed now and then with
/// other threads launching processes); its standard input is `/dev/null`, it inherits no descriptor but
/// its two output pipes, and a dedicated thread reads both pipes and waits for it, so neither a NIO event
/// loop nor Swift's cooperative pool ever blocks on it.
enum ChildProcess {
    /// What the command did.
    struct Output: Sendable {
        /// The exit status, or 128 + the signal that ended it.
        var status: Int32
        /// Everything written to standard output.
        var standardOutput: [UInt8]
        /// Standard error, at most `errorLimit` bytes of it.
        var standardError: [UInt8]
    }

    /// Why the command did not run to completion.
    struct Failure: Error, CustomStringConvertible {
        var description: String
        /// Standard error so far, when the command ran at all.
        var standardError: [UInt8] = []
        /// Whether the command started (false when, for instance, it does not exist).
        var started = true
    }

    /// Standard error beyond this is dropped.
    static let errorLimit = 16 * 1024

    /// Runs `command` (a path, or a name looked up in `PATH`) with `arguments`, the process environment
    /// plus `environment`, and waits for it.
    /// - Parameters:
    ///   - outputLimit: a command printing more than this many bytes is killed and fails.
    ///   - timeout: a command still running after this is killed and fails.
    static func run(
        _ command: String, arguments: [String], environment: [String: String], outputLimit: Int, timeout: Duration
    ) async throws(Failure) -> Output {
        let result = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    returning: Result { () throws(Failure) in
                        try runBlocking(
                            command, arguments: arguments, environment: environment, outputLimit: outputLimit,
                            deadline: .now + timeout)
                    })
            }
        }
        return try result.get()
    }

    private static func runBlocking(
        _ command: String, arguments: [String], environment: [String: String], outputLimit: Int,
        deadline: ContinuousClock.Instant
    ) throws(Failure) -> Output {
        var outputPipe: [Int32] = [-1, -1]
        var errorPipe: [Int32] = [-1, -1]
        guard portico_pipe_cloexec(&outputPipe) == 0, portico_pipe_cloexec(&errorPipe) == 0 else {
            for fd in outputPipe + errorPipe where fd >= 0 { close(fd) }
            throw Failure(description: "cannot create pipes: errno \(errno)", started: false)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errorPipe[1], 2)
        // Sockets and files the gateway opened without close-on-exec must not leak into the plugin.
        portico_spawn_file_actions_closefrom(&actions, 3)
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { $1 }
        let argv = ([command] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, command, &actions, nil, argv, envp)
        close(outputPipe[1])
        close(errorPipe[1])
        defer {
            close(outputPipe[0])
            close(errorPipe[0])
        }
        guard spawned == 0 else {
            throw Failure(description: "cannot start: \(String(cString: strerror(spawned)))", started: false)
        }
        var reader = PipeReader(output: outputPipe[0], error: errorPipe[0])
        let problem = reader.readAll(outputLimit: outputLimit, deadline: deadline)
        if problem != nil { _ = kill(pid, SIGKILL) }
        let status = waitForExit(pid, deadline: deadline)
        if let problem { throw Failure(description: problem, standardError: reader.standardError) }
        guard let status else {
            throw Failure(description: "timed out and was killed", standardError: reader.standardError)
        }
        return Output(status: status, standardOutput: reader.standardOutput, standardError: reader.standardError)
    }

    /// Reaps the process; kills it first if it outlives the deadline (nil then). Polls, because a process
    /// that closed its output is nearly always about to exit and there is no descriptor to wait on.
    private static func waitForExit(_ pid: pid_t, deadline: ContinuousClock.Instant) -> Int32? {
        var status: Int32 = 0
        var timedOut = false
        while true {
            let reaped = waitpid(pid, &status, timedOut ? 0 : WNOHANG)
            if reaped == pid { break }
            if reaped == -1 && errno != EINTR { return nil }
            if !timedOut && ContinuousClock.now >= deadline {
                _ = kill(pid, SIGKILL)
                timedOut = true
                continue
            }
            _ = poll(nil, 0, 5)
        }
        if timedOut { return nil }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}

extension ChildProcess {
    /// Drains a child's standard output and error until both close.
    private struct PipeReader {
        let output: Int32
        let error: Int32
        var standardOutput: [UInt8] = []
        var standardError: [UInt8] = []

        init(output: Int32, error: Int32) {
            self.output = output
            self.error = error
        }

        /// Reads until both pipes close; returns what went wrong if the output grew too large or the deadline
        /// passed first.
        mutating func readAll(outputLimit: Int, deadline: ContinuousClock.Instant) -> String? {
            var open: [Int32] = [output, error]
            var buffer = [UInt8](repeating: 0, count: 16 * 1024)
            while !open.isEmpty {
                let remaining = deadline - .now
                guard remaining > .zero else { return "timed out and was killed" }
                var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
                let ready = poll(&fds, nfds_t(fds.count), Int32(clamping: max(1, remaining.milliseconds)))
                if ready < 0 && errno != EINTR { return "poll failed: errno \(errno)" }
                for entry in fds where entry.revents != 0 {
                    let count = read(entry.fd, &buffer, buffer.count)
                    if count > 0 {
                        if entry.fd == output {
                            standardOutput += buffer[..<count]
                            if standardOutput.count > outputLimit {
                                return "printed more than \(outputLimit) bytes and was killed"
                            }
                        } else {
                            standardError += buffer[..<min(count, ChildProcess.errorLimit - standardError.count)]
                        }
                    } else if count == 0 || errno != EINTR {
                        open.removeAll { $0 == entry.fd }
                    }
                }
            }
            return nil
        }
    }
}
