import Balancer
import Testing

@testable import Gateway

/// `SchemaRefreshState` transition by transition: whom a reflection backend asks for its schema, and when.
@Suite("Schema refresh state machine")
struct SchemaRefreshStateTests {
    let start = ContinuousClock.now
    let a = EndpointAddress(host: "10.0.0.1", port: 50051)
    let b = EndpointAddress(host: "10.0.0.2", port: 50051)
    let c = EndpointAddress(host: "10.0.0.3", port: 50051)

    func at(_ seconds: Double) -> ContinuousClock.Instant { start + .milliseconds(Int(seconds * 1000)) }

    @Test("no pods: nothing to ask; the first pod is asked at once")
    func firstPod() {
        var state = SchemaRefreshState(refreshInterval: .seconds(60))
        #expect(state.podsChanged(to: [], now: at(0)) == .idle)
        #expect(state.podsChanged(to: [a], now: at(1)) == .fetch(a))
        #expect(state.asking == a)
    }

    @Test("one exchange at a time: pods that appear meanwhile wait for it, then are asked at once")
    func oneAtATime() {
        var state = SchemaRefreshState(refreshInterval: .seconds(60))
        #expect(state.podsChanged(to: [a], now: at(0)) == .fetch(a))
        #expect(state.podsChanged(to: [a, b], now: at(1)) == .idle)
        #expect(state.timerFired(now: at(2)) == .idle)
        #expect(state.fetchSucceeded(now: at(3)) == .fetch(b))
        #expect(state.fetchSucceeded(now: at(4)) == .armTimer(at(64)))
    }

    @Test("after a good answer the next is due a refresh interval later, asked of the pods in turn")
    func refreshInTurn() {
        var state = SchemaRefreshState(refreshInterval: .seconds(60))
        _ = state.podsChanged(to: [a], now: at(0))
        _ = state.fetchSucceeded(now: at(0))
        _ = state.podsChanged(to: [a, b], now: at(1))
        #expect(state.fetchSucceeded(now: at(2)) == .armTimer(at(62)))
        #expect(state.timerFired(now: at(30)) == .armTimer(at(62)))
        let first = state.timerFired(now: at(62))
        #expect(state.fetchSucceeded(now: at(63)) == .armTimer(at(123)))
        let second = state.timerFired(now: at(123))
        #expect(Set([first, second]) == Set([.fetch(a), .fetch(b)]))
    }

    @Test("a failure asks the other pods at once; when all failed, the next round backs off 1 s, 2 s, 4 s…")
    func failures() {
        var state = SchemaRefreshState(refreshInterval: .seconds(60))
        _ = state.podsChanged(to: [a], now: at(0))
        _ = state.podsChanged(to: [a, b], now: at(0))
        #expect(state.fetchFailed(now: at(1)) == .fetch(b))
        #expect(state.fetchFailed(now: at(2)) == .armTimer(at(3)))
        guard case .fetch = state.timerFired(now: at(3)) else {
            Issue.record("the backed-off round asks a pod")
            return
        }
        #expect(state.fetchFailed(now: at(3)) != .idle)  // the other pod, at once
        #expect(state.fetchFailed(now: at(3)) == .armTimer(at(5)))
    }

    @Test("the backoff stops growing at the refresh interval")
    func backoffCap() {
        var state = SchemaRefreshState(refreshInterval: .seconds(5))
        _ = state.podsChanged(to: [a], now: at(0))
        var now = 0.0
        var waits: [Double] = []
        for _ in 0..<5 {
            guard case .armTimer(let due) = state.fetchFailed(now: at(now)) else {
                Issue.record("a failed round arms the timer")
                return
            }
            waits.append(Double((due - at(now)).components.seconds))
            now = Double((due - start).components.seconds)
            #expect(state.timerFired(now: at(now)) == .fetch(a))
        }
        #expect(waits == [1, 2, 4, 5, 5])
    }

    @Test("a success resets the backoff")
    func successResets() {
        var state = SchemaRefreshState(refreshInterval: .seconds(60))
        _ = state.podsChanged(to: [a], now: at(0))
        _ = state.fetchFailed(now: at(0))
        _ = state.timerFired(now: at(1))
        #expect(state.fetchFailed(now: at(1)) == .armTimer(at(3)))
        _ = state.timerFired(now: at(3))
        #expect(state.fetchSucceeded(now: at(3)) == .armTimer(at(63)))
        _ = state.timerFired(now: at(63))
        #expect(state.fetchFailed(now: at(63)) == .armTimer(at(64)))
    }

    @Test("a new pod (a new version rolling out) is asked at once, even with a good schema and no refresh due")
    func newPodAskedAtOnce() {
        var state = SchemaRefreshState(refreshInterval: .seconds(60))
        _ = state.podsChanged(to: [a], now: at(0))
        _ = state.fetchSucceeded(now: at(0))
        #expect(state.podsChanged(to: [b], now: at(10)) == .fetch(b))
    }

    @Test("a pod that left before its turn is not asked; the pods left stay eligible")
    func goneBeforeAsked() {
        var state = SchemaRefreshState(refreshInterval: .seconds(60))
        _ = state.podsChanged(to: [a], now: at(0))
        _ = state.podsChanged(to: [a, b, c], now: at(0))
        _ = state.podsChanged(to: [a, c], now: at(0))
        #expect(state.fetchSucceeded(now: at(1)) == .fetch(c))
    }

    @Test("when the only pods left all failed in this round, they are asked again in turn, not never")
    func failedPodsLeft() {
        var state = SchemaRefreshState(refreshInterval: .seconds(60))
        _ = state.podsChanged(to: [a], now: at(0))
        _ = state.podsChanged(to: [a, b], now: at(0))
        #expect(state.fetchFailed(now: at(1)) == .fetch(b))
        _ = state.podsChanged(to: [a], now: at(1))
        #expect(state.fetchFailed(now: at(2)) == .armTimer(at(3)))
        #expect(state.timerFired(now: at(3)) == .fetch(a))
    }
}
