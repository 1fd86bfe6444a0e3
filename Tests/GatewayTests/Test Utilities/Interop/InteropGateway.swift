import DemoServices
import Foundation
import PorticoTestSupport

/// The real `portico serve` in front of one backend.
struct InteropGateway: Sendable {
    let process: SpawnedProcess
    let port: Int
    let configFile: String

    static func start(backendPort: Int) async throws -> InteropGateway {
        let configFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("portico-interop-\(UUID().uuidString).yaml").path
        try """
            listen: 127.0.0.1:0
            admin: 127.0.0.1:0
            eventLoops: 2
            maxRequestBytes: \(InteropEnvironment.maxRequestBytes)
            lifecycle:
              shutdownDelay: 0s
              drainTimeout: 5s
              watchInterval: 0s
            backends:
              - name: echo
                descriptors: [\(DemoBackend.descriptorSetURL(for: .echo).path)]
                endpoints: ["127.0.0.1:\(backendPort)"]
            """.write(toFile: configFile, atomically: true, encoding: .utf8)
        let process = try await SpawnedProcess.start(
            PorticoProcess.executable.path, ["serve", "--config", configFile], dieWithParent: true)
        let ports = try await process.waitForOutput(inStandardError: true) { log in
            log.split(separator: "\n").first { $0.contains("portico is serving") }.flatMap { line in
                PorticoProcess.port(named: "listen", in: line)
            }
        }
        let gateway = InteropGateway(process: process, port: ports, configFile: configFile)
        return gateway
    }

    func stop() async {
        await process.stop()
        try? FileManager.default.removeItem(atPath: configFile)
    }
}
