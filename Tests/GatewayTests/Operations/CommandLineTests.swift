import DemoServices
import Foundation
import NIOCore
import NIOPosix
import PorticoTestSupport
import Testing

/// The `portico` binary's command line, run as a child process.
@Suite("The command line")
struct CommandLineTests {
    @Test("portico --version prints the version")
    func version() async throws {
        let output = try await HelperProcess.run(PorticoProcess.executable.path, ["--version"])
        #expect(output.status == 0)
        #expect(output.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0-dev")
    }

    @Test("a listener that cannot bind is the first line logged, naming its key, address and reason")
    func bindFailureFirst() async throws {
        let taken = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        defer { taken.close(promise: nil) }
        let port = try #require(taken.localAddress?.port)
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("portico-\(UUID().uuidString).yaml")
        try Data(
            """
            listen: 127.0.0.1:\(port)
            admin: 127.0.0.1:0
            backends:
              - {name: echo, descriptors: [\(DemoBackend.descriptorSetURL(for: .echo).path)], endpoints: ["127.0.0.1:1"]}
            """.utf8
        ).write(to: config)
        defer { try? FileManager.default.removeItem(at: config) }
        let output = try await HelperProcess.run(PorticoProcess.executable.path, ["serve", "--config", config.path])
        #expect(output.status != 0)
        let first = output.standardError.split(separator: "\n").first.map(String.init) ?? ""
        #expect(
            first.contains("cannot listen on 127.0.0.1:\(port) (`listen` in the config): Address already in use"),
            "\(output.standardError)")
    }
}
