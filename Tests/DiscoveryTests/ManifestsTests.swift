import Foundation
import PorticoTestSupport
import Testing

/// The manifests render with kustomize and every object is valid against the Kubernetes API schemas, and
/// the deployment is least-privilege (checks in Tests/helpers/check_manifests.py).
@Suite("Kubernetes manifests")
struct ManifestsTests {
    @Test("kubectl kustomize renders both variants; every object validates strictly; the deployment is least-privilege")
    func manifests() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", root.appendingPathComponent("Tests/helpers/check_manifests.py").path, root.path,
        ]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try ProcessLaunch.run(process)
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("manifests: 11 objects valid"), "\(text)")
        #expect(text.contains("manifests/namespaced: 11 objects valid"), "\(text)")
    }
}
