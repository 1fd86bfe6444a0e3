import Foundation
import Testing

@testable import Discovery

/// The launcher of exec credential plugins, with real commands.
@Suite("Child processes")
struct ChildProcessTests {
    static func run(
        _ command: String, _ arguments: [String], environment: [String: String] = [:], outputLimit: Int = 1 << 20,
        timeout: Duration = .seconds(10)
    ) async throws(ChildProcess.Failure) -> ChildProcess.Output {
        try await ChildProcess.run(
            command, arguments: arguments, environment: environment, outputLimit: outputLimit, timeout: timeout)
    }

    @Test("standard output, standard error and the exit status come back; PATH finds the command")
    func output() async throws {
        let output = try await Self.run("sh", ["-c", "printf out; printf err >&2; exit 4"])
        #expect(output.status == 4)
        #expect(output.standardOutput == Array("out".utf8))
        #expect(output.standardError == Array("err".utf8))
    }

    @Test("the environment given is added to the process's")
    func environment() async throws {
        let output = try await Self.run(
            "/bin/sh", ["-c", "printf '%s %s' \"$PORTICO_X\" \"${PATH:+path}\""], environment: ["PORTICO_X": "y"])
        #expect(String(decoding: output.standardOutput, as: UTF8.self) == "y path")
    }

    @Test("a command still running at the timeout is killed")
    func timeout() async throws {
        let started = ContinuousClock.now
        do {
            _ = try await Self.run("sleep", ["600"], timeout: .milliseconds(300))
            Issue.record("sleep 600 finished")
        } catch {
            #expect(error.description.contains("timed out"))
        }
        // Killed, not waited for. The bound is far from the timeout because the whole suite, running in
        // parallel, can keep this task from resuming for seconds (12 s seen on 2 cores).
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test("a command printing more than the limit is killed")
    func outputLimit() async throws {
        do {
            _ = try await Self.run("head", ["-c", "100000", "/dev/zero"], outputLimit: 1000)
            Issue.record("the output was accepted")
        } catch {
            #expect(error.description.contains("printed more than 1000 bytes"))
        }
    }

    @Test("a command that does not exist fails to start")
    func missing() async throws {
        do {
            _ = try await Self.run("/nonexistent/portico-plugin", [])
            Issue.record("it started")
        } catch {
            #expect(!error.started)
            #expect(error.description.contains("cannot start"))
        }
    }

    @Test("the child inherits no descriptor of the parent but its standard ones")
    func noInheritedDescriptors() async throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)  // without close-on-exec
        defer { fds.forEach { close($0) } }
        let output = try await Self.run("sh", ["-c", "ls /proc/$$/fd"])
        let open = String(decoding: output.standardOutput, as: UTF8.self).split(separator: "\n").compactMap {
            Int32($0)
        }
        #expect(!open.contains(fds[0]) && !open.contains(fds[1]), "open in the child: \(open)")
        #expect(open.contains(0) && open.contains(1) && open.contains(2))
    }
}
