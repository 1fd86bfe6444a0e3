import Foundation
import PorticoTestSupport
import Testing

/// The manifests render with kustomize and every object is valid against the Kubernetes API schemas, and
/// the deployment is least-privilege (checks in Tests/helpers/check_manifests.py).
@Suite("Kubernetes manifests")
struct ManifestsTests {
    @Test(
        "kubectl kustomize renders the three variants; every object validates strictly; the deployment is least-privilege"
    )
    func manifests() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        // Off the cooperative pool: kustomize and the schema checks take seconds on a busy machine.
        let output = try await HelperProcess.run(
            "/usr/bin/env",
            ["python3", root.appendingPathComponent("Tests/helpers/check_manifests.py").path, root.path],
            timeout: 120)
        let text = output.standardOutput + output.standardError
        #expect(output.status == 0, "\(text)")
        #expect(text.contains("manifests: 11 objects valid"), "\(text)")
        #expect(text.contains("manifests/namespaced: 11 objects valid"), "\(text)")
        #expect(text.contains("manifests/discover: 11 objects valid"), "\(text)")
    }
}
