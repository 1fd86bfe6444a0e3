import Balancer
import Testing

@testable import Gateway

/// A pod's connection state over several event loops, and the log lines when it fails and recovers.
@Suite("Endpoint connectivity")
struct EndpointConnectivityTests {
    final class Reporter {}

    static let pod = EndpointAddress(host: "10.0.0.1", port: 50051)

    @Test("a pod is ready when any loop's connections are, failing only when every loop's are")
    func aggregation() {
        let connectivity = EndpointConnectivity(backend: "echo")
        let store = RecordingLogHandler.Store()
        let (loopA, loopB) = (Reporter(), Reporter())
        let record = { (state: EndpointConnectivity.State?, reporter: Reporter) in
            connectivity.record(
                state, of: Self.pod, reporter: ObjectIdentifier(reporter), reason: "refused", logger: store.logger())
        }
        #expect(connectivity.state(of: Self.pod) == .idle)
        record(.connecting, loopA)
        record(.ready, loopB)
        #expect(connectivity.state(of: Self.pod) == .ready)
        record(.transientFailure, loopA)
        #expect(connectivity.state(of: Self.pod) == .ready)
        record(.transientFailure, loopB)
        #expect(connectivity.state(of: Self.pod) == .transientFailure)
        record(.connecting, loopB)
        #expect(connectivity.state(of: Self.pod) == .connecting)
        record(.transientFailure, loopB)
        record(.ready, loopA)
        #expect(connectivity.state(of: Self.pod) == .ready)
        #expect(
            store.all.map(\.message) == [
                "connections to endpoint failing; retrying with backoff", "connections to endpoint recovered",
            ], "one line when it starts failing, none per retry, one when it recovers")
        #expect(store.all.first?.metadata["error"] == "refused")
        record(nil, loopA)
        record(nil, loopB)
        #expect(connectivity.state(of: Self.pod) == .idle, "a pod whose connections all stopped is forgotten")
    }
}
