import Foundation
import Glibc
import Synchronization

/// Starts child processes.
///
/// Foundation's `Process.run()` on Linux crashed now and then under the parallel test runner (a bad
/// memcpy inside it while hundreds of curl processes were launched), so one-shot commands are spawned
/// with `posix_spawn` directly, and so are long-running ones started as ``SpawnedProcess``; older helpers
/// still use `Process`, one launch at a time.
package enum ProcessLaunch {
    private static let lock = Mutex(())

    /// Runs `process`, holding the launch lock while it starts.
    package static func run(_ process: Process) throws {
        try lock.withLock { _ in
            markEveryDescriptorCloseOnExec()
            try process.run()
        }
    }

    /// Sets close-on-exec on every open descriptor above standard error (what Foundation's `Process` does
    /// in its child).
    private static func markEveryDescriptorCloseOnExec() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for name in names {
            guard let fd = Int32(name), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 && flags & FD_CLOEXEC == 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    /// Why a command could not be started.
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    /// Runs `executable` with `arguments`, standard output and error going to the given files, and waits
    /// for it off the cooperative thread pool; it is killed after `timeout` seconds.
    ///
    /// - Returns: The exit status, or 128 + the signal that ended it.
    package static func runToCompletion(
        _ executable: String, _ arguments: [String], standardOutput: String, standardError: String, timeout: Double
    ) async throws -> Int32 {
        let spawned = try spawn(executable, arguments, standardOutput: standardOutput, standardError: standardError)
        let watchdog = DispatchWorkItem { _ = Glibc.kill(spawned, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
        let status = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(spawned, &status, 0) == -1 && errno == EINTR {}
                continuation.resume(returning: status)
            }
        }
        watchdog.cancel()
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }

    /// Starts `executable` with `arguments`, standard input from /dev/null and standard output and error
    /// going to the given files, and returns its pid at once; the caller must reap it.
    package static func spawn(
        _ executable: String, _ arguments: [String], standardOutput: String, standardError: String
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, standardOutput, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, standardError, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let result = lock.withLock { _ in
            // The child must not inherit the test's sockets: a port a test closed would stay open in it.
            markEveryDescriptorCloseOnExec()
            return posix_spawn(&pid, executable, &actions, nil, argv, environ)
        }
        guard result == 0 else { throw Failure(description: "cannot start \(executable): errno \(result)") }
        return pid
    }
}
