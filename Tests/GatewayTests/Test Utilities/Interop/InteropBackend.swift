import DemoServices
import Foundation
import PorticoTestSupport

/// An echo backend of one stack, in its own process: the test process's cooperative pool is busy with the
/// matrix's large messages, which must not slow a backend down.
struct InteropBackend: Sendable {
    let process: SpawnedProcess
    let port: Int

    static func start(_ stack: InteropStack) async throws -> InteropBackend {
        let process: SpawnedProcess
        let port: Int?
        switch stack {
        case .swift:
            process = try await SpawnedProcess.start(
                PorticoProcess.executable.path,
                ["demo-backend", "--kind", "echo", "--listen", "127.0.0.1:0", "--name", stack.backendName],
                dieWithParent: true)
            // "demo backend swift-1 serves portico.demo.echo.v1.EchoService on 127.0.0.1:PORT"
            port = try await process.firstLine().split(separator: ":").last.flatMap { Int($0) }
        case .python:
            let script = InteropStack.repository.appendingPathComponent("Tests/helpers/demo_echo_backend.py").path
            process = try await SpawnedProcess.start(
                "/usr/bin/env", ["python3", script, DemoBackend.descriptorSetURL(for: .echo).path, stack.backendName])
            port = Int(try await process.firstLine())
        case .go:
            process = try await SpawnedProcess.start(try await goEchoBinary(), ["-name", stack.backendName])
            port = Int(try await process.firstLine())
        }
        guard let port else {
            await process.stop()
            throw SpawnedProcess.NotReady(description: "the \(stack) backend printed \(process.standardOutput.debugDescription)")
        }
        return InteropBackend(process: process, port: port)
    }

    /// Builds (or finds up to date) the grpc-go echo backend with Tests/helpers/go-echo/build.sh; `make test`
    /// has built it before the tests start, so this is quick there.
    static func goEchoBinary() async throws -> String {
        let script = InteropStack.repository.appendingPathComponent("Tests/helpers/go-echo/build.sh").path
        let output = try await HelperProcess.run("/bin/bash", [script], timeout: 900)
        guard output.status == 0, let path = output.standardOutput.split(separator: "\n").last else {
            throw SpawnedProcess.NotReady(
                description: "go-echo did not build (exit \(output.status); `make deps` installs Go): \(output.standardError)")
        }
        return String(path)
    }

    func stop() async {
        await process.stop(gracePeriod: .seconds(3))
    }
}
