import Balancer
import Testing

@testable import Gateway

/// The call core, event by event. Settlements are paid to a real balancer, and every scenario ends with the
/// balancer's in-flight count back at 0 and its retry budget full: nothing is lost or given back twice.
@Suite("Upstream call state machine")
struct UpstreamCallStateMachineTests {
    typealias Machine = UpstreamCallStateMachine

    static let podA = EndpointAddress(host: "10.0.0.1", port: 50051)
    static let podB = EndpointAddress(host: "10.0.0.2", port: 50051)
    static let podC = EndpointAddress(host: "10.0.0.3", port: 50051)
    static let t0 = ContinuousClock.now

    /// A balancer over three pods, the machine under test, and the bookkeeping of what it was paid.
    struct Harness {
        let balancer = LoadBalancer(strategy: .roundRobin)
        var machine: Machine
        /// Permits handed out by `exchange`, minus those given back through it.
        var permitsHeld = 0

        init(
            retryUnavailable: Bool = false, deadlineIsClients: Bool = false,
            replay: Machine.RequestReplay = .kept(complete: true)
        ) {
            balancer.update(endpoints: [
                UpstreamCallStateMachineTests.podA, UpstreamCallStateMachineTests.podB,
                UpstreamCallStateMachineTests.podC,
            ])
            machine = Machine(
                configuration: .init(retryUnavailable: retryUnavailable, deadlineIsClients: deadlineIsClients),
                requestReplay: replay)
        }

        /// Picks `pod` for the machine, as the pool would.
        mutating func pick(_ pod: EndpointAddress, after milliseconds: Int = 0) throws -> Machine.Action {
            let pick = try #require(balancer.pick { $0 == pod })
            return machine.connectionPicked(pick, at: t0 + .milliseconds(milliseconds))
        }

        /// The status event, with the balancer's own retry budget behind the permit exchange.
        mutating func status(_ code: GRPCStatusCode, attempt: Int, after milliseconds: Int = 0) -> Machine.Action {
            let balancer = self.balancer
            return machine.receivedStatus(code, attempt: attempt, at: t0 + .milliseconds(milliseconds)) {
                balancer.exchangeRetryPermit($0)
            }
        }

        /// Pays what an action owes the balancer, as the handlers do.
        func pay(_ action: Machine.Action) {
            switch action {
            case .retry(let settlement, _, _), .finish(let settlement, _, _, _), .settle(let settlement):
                balancer.settle(settlement)
            case .none, .acquireConnection, .openStream:
                break
            }
        }

        /// Nothing is in flight and no retry permit is out.
        func expectSettled(sourceLocation: SourceLocation = #_sourceLocation) {
            let status = balancer.status()
            #expect(status.inFlight == 0, "in flight", sourceLocation: sourceLocation)
            #expect(status.activeRetries == 0, "retry permits out", sourceLocation: sourceLocation)
            #expect(status.endpoints.allSatisfy { $0.inFlight == 0 }, sourceLocation: sourceLocation)
        }
    }

    static func settlement(_ action: Machine.Action) -> Machine.Settlement? {
        switch action {
        case .retry(let settlement, _, _), .finish(let settlement, _, _, _), .settle(let settlement): settlement
        case .none, .acquireConnection, .openStream: nil
        }
    }

    @Test(
        "start asks for any connection; a pick opens attempt 1; OK settles a success with the latency to the first message"
    )
    func success() throws {
        var harness = Harness()
        #expect(harness.machine.start() == .acquireConnection(excluding: []))
        #expect(harness.machine.start() == .none, "a second start does nothing")
        #expect(try harness.pick(Self.podA) == .openStream(attempt: 1))
        #expect(harness.machine.openAttempt == 1)
        #expect(harness.machine.receivedResponseHeaders(attempt: 1) == .none)
        harness.machine.receivedResponseMessage(attempt: 1, at: Self.t0 + .milliseconds(20))
        harness.machine.receivedResponseMessage(attempt: 1, at: Self.t0 + .milliseconds(90))
        let action = harness.status(.ok, attempt: 1, after: 100)
        guard case .finish(let settlement, let reset, let stopWaiting, let end) = action else {
            Issue.record("expected finish, got \(action)")
            return
        }
        #expect(settlement.ticket?.endpoint == Self.podA)
        #expect(settlement.outcome == .success(latency: .milliseconds(20)))
        #expect(settlement.permit == nil)
        #expect(!reset && !stopWaiting)
        #expect(end == .status(.ok))
        #expect(harness.machine.isFinished)
        harness.pay(action)
        harness.expectSettled()
    }

    @Test("an application error is a latency sample, UNAVAILABLE a gateway failure, both forwarded as they are")
    func applicationErrors() throws {
        for (code, outcome) in [
            (GRPCStatusCode.notFound, RequestOutcome.otherError(latency: .milliseconds(5))),
            (.unavailable, .unavailable),
        ] {
            var harness = Harness()
            _ = harness.machine.start()
            _ = try harness.pick(Self.podA)
            let action = harness.status(code, attempt: 1, after: 5)
            #expect(Self.settlement(action)?.outcome == outcome)
            guard case .finish(_, false, false, .status(code)) = action else {
                Issue.record("expected the status to be forwarded, got \(action)")
                continue
            }
            harness.pay(action)
            harness.expectSettled()
        }
    }

    @Test("UNAVAILABLE with retryOn is tried on another pod within the budget; the permit comes back once")
    func unavailableRetried() throws {
        var harness = Harness(retryUnavailable: true)
        _ = harness.machine.start()
        _ = try harness.pick(Self.podA)
        let retry = harness.status(.unavailable, attempt: 1)
        guard case .retry(let settlement, false, let excluding) = retry else {
            Issue.record("expected a retry, got \(retry)")
            return
        }
        #expect(settlement.outcome == .unavailable && settlement.ticket?.endpoint == Self.podA)
        #expect(settlement.permit == nil, "the permit stays with the call during its retry")
        #expect(excluding == [Self.podA])
        #expect(harness.balancer.status().activeRetries == 1)
        harness.pay(retry)
        #expect(harness.machine.openAttempt == nil)
        #expect(try harness.pick(Self.podB) == .openStream(attempt: 2))
        #expect(harness.status(.ok, attempt: 1) == .none, "the abandoned attempt is ignored")
        let done = harness.status(.ok, attempt: 2)
        #expect(Self.settlement(done)?.permit != nil, "the permit is given back with the last settlement")
        harness.pay(done)
        harness.expectSettled()
    }

    @Test(
        "UNAVAILABLE is forwarded, not retried, when the budget refuses, the reply began, or the request is incomplete")
    func unavailableNotRetried() throws {
        var refused = Harness(retryUnavailable: true)
        _ = refused.machine.start()
        _ = try refused.pick(Self.podA)
        let action = refused.machine.receivedStatus(.unavailable, attempt: 1, at: Self.t0) { _ in nil }
        guard case .finish(let settlement, _, _, .status(.unavailable)) = action else {
            Issue.record("expected finish, got \(action)")
            return
        }
        #expect(settlement.permit == nil)
        refused.pay(action)
        refused.expectSettled()

        var forwarded = Harness(retryUnavailable: true)
        _ = forwarded.machine.start()
        _ = try forwarded.pick(Self.podA)
        forwarded.machine.forwardedReplyToClient()
        let afterReply = forwarded.status(.unavailable, attempt: 1)
        guard case .finish(_, _, _, .status(.unavailable)) = afterReply else {
            Issue.record("expected finish, got \(afterReply)")
            return
        }
        forwarded.pay(afterReply)
        forwarded.expectSettled()

        var streaming = Harness(retryUnavailable: true, replay: .kept(complete: false))
        _ = streaming.machine.start()
        _ = try streaming.pick(Self.podA)
        let incomplete = streaming.status(.unavailable, attempt: 1)
        guard case .finish(_, _, _, .status(.unavailable)) = incomplete else {
            Issue.record("expected finish, got \(incomplete)")
            return
        }
        streaming.pay(incomplete)
        streaming.expectSettled()
    }

    @Test("retries of UNAVAILABLE stop after three attempts in all")
    func retriesBounded() throws {
        var harness = Harness(retryUnavailable: true)
        _ = harness.machine.start()
        for (attempt, pod) in [Self.podA, Self.podB, Self.podC].enumerated().map({ ($0 + 1, $1) }) {
            #expect(try harness.pick(pod) == .openStream(attempt: attempt))
            let action = harness.status(.unavailable, attempt: attempt)
            harness.pay(action)
            if attempt < 3 {
                guard case .retry = action else {
                    Issue.record("attempt \(attempt): expected a retry, got \(action)")
                    return
                }
            } else {
                guard case .finish(_, _, _, .status(.unavailable)) = action else {
                    Issue.record("expected finish, got \(action)")
                    return
                }
            }
        }
        harness.expectSettled()
        #expect(harness.balancer.status().endpoints.allSatisfy { $0.consecutiveFailures == 1 })
    }

    @Test("a call that never reached its pod is tried again without the budget and teaches the balancer nothing")
    func connectionFailedRetried() throws {
        var harness = Harness()
        _ = harness.machine.start()
        _ = try harness.pick(Self.podA)
        let retry = harness.machine.streamClosed(
            attempt: 1, neverProcessed: true, connectionFailed: false, reason: "refused")
        #expect(retry == .retry(Self.settlement(retry)!, resetStream: false, excluding: [Self.podA]))
        #expect(Self.settlement(retry)?.outcome == .connectionFailed)
        #expect(harness.balancer.status().activeRetries == 0, "no budget spent")
        harness.pay(retry)
        _ = try harness.pick(Self.podB)
        let refused = harness.machine.streamRefused(attempt: 2, reason: "GOAWAY")
        harness.pay(refused)
        #expect(try harness.pick(Self.podC) == .openStream(attempt: 3))
        let last = harness.machine.streamClosed(
            attempt: 3, neverProcessed: true, connectionFailed: false, reason: "connection refused")
        guard case .finish(let settlement, false, false, .failure(.unavailable, "connection refused")) = last else {
            Issue.record("expected the call to fail after three attempts, got \(last)")
            return
        }
        #expect(settlement.outcome == .connectionFailed)
        harness.pay(last)
        harness.expectSettled()
        let status = harness.balancer.status()
        #expect(status.endpoints.allSatisfy { $0.consecutiveFailures == 0 && $0.timesEjected == 0 })
        #expect(status.endpoints.allSatisfy { $0.failurePenalty == .zero })
    }

    @Test("a request too large to keep is not sent again")
    func replayLost() throws {
        var harness = Harness(replay: .kept(complete: false))
        _ = harness.machine.start()
        _ = try harness.pick(Self.podA)
        harness.machine.requestOutgrewReplay()
        harness.machine.requestEnded()
        #expect(harness.machine.requestReplay == .lost)
        let action = harness.machine.streamClosed(
            attempt: 1, neverProcessed: true, connectionFailed: false, reason: "refused")
        guard case .finish(_, _, _, .failure(.unavailable, _)) = action else {
            Issue.record("expected finish, got \(action)")
            return
        }
        harness.pay(action)
        harness.expectSettled()
    }

    @Test("a stream lost after the pod answered is a gateway failure, not retried")
    func lostAfterProcessing() throws {
        for neverProcessed in [true, false] {
            var harness = Harness(retryUnavailable: true)
            _ = harness.machine.start()
            _ = try harness.pick(Self.podA)
            _ = harness.machine.receivedResponseHeaders(attempt: 1)
            let action = harness.machine.streamClosed(
                attempt: 1, neverProcessed: neverProcessed, connectionFailed: false, reason: "reset")
            guard case .finish(let settlement, false, false, .failure(.unavailable, "reset")) = action else {
                Issue.record("expected finish, got \(action)")
                continue
            }
            #expect(settlement.outcome == .unavailable)
            harness.pay(action)
            harness.expectSettled()
            #expect(harness.balancer.status().endpoints.first { $0.endpoint == Self.podA }?.consecutiveFailures == 1)
        }
    }

    @Test("a connection lost under a stream the pod had begun fails the call without blaming the pod")
    func connectionLostAfterProcessing() throws {
        var harness = Harness(retryUnavailable: true)
        _ = harness.machine.start()
        _ = try harness.pick(Self.podA)
        _ = harness.machine.receivedResponseHeaders(attempt: 1)
        let action = harness.machine.streamClosed(
            attempt: 1, neverProcessed: false, connectionFailed: true, reason: "the connection closed")
        guard case .finish(let settlement, false, false, .failure(.unavailable, "the connection closed")) = action
        else {
            Issue.record("expected finish, got \(action)")
            return
        }
        #expect(settlement.outcome == .connectionFailed)
        harness.pay(action)
        harness.expectSettled()
        let pod = harness.balancer.status().endpoints.first { $0.endpoint == Self.podA }
        #expect(pod?.consecutiveFailures == 0)
        #expect(pod?.failurePenalty == .zero)
    }

    @Test("the client's own deadline is cancelled; the gateway's deadline on an accepted stream is a gateway failure")
    func deadlines() throws {
        for (clients, outcome) in [(true, RequestOutcome.cancelled), (false, .unavailable)] {
            var harness = Harness(deadlineIsClients: clients)
            _ = harness.machine.start()
            _ = try harness.pick(Self.podA)
            let action = harness.machine.deadlineExpired()
            guard case .finish(let settlement, true, false, .failure(.deadlineExceeded, _)) = action else {
                Issue.record("expected finish with a reset, got \(action)")
                continue
            }
            #expect(settlement.outcome == outcome)
            harness.pay(action)
            harness.expectSettled()
            #expect(harness.machine.deadlineExpired() == .none)
            #expect(harness.machine.clientCancelled() == .none)
            let penalty = harness.balancer.status().endpoints.first { $0.endpoint == Self.podA }?.failurePenalty
            #expect((penalty == .zero) == clients)
        }
    }

    @Test(
        "a deadline or a cancel while waiting for a connection leaves the pool's queue; a late pick settles as cancelled"
    )
    func endWhileWaiting() throws {
        for end in ["deadline", "cancel"] {
            var harness = Harness()
            _ = harness.machine.start()
            let action = end == "deadline" ? harness.machine.deadlineExpired() : harness.machine.clientCancelled()
            guard case .finish(let settlement, false, true, let callEnd) = action else {
                Issue.record("expected finish leaving the queue, got \(action)")
                continue
            }
            #expect(settlement.isEmpty)
            #expect(
                callEnd
                    == (end == "deadline"
                        ? .failure(code: .deadlineExceeded, message: "deadline exceeded") : .cancelled))
            let late = try harness.pick(Self.podA)
            guard case .settle(let lateSettlement) = late else {
                Issue.record("expected the late pick to be settled, got \(late)")
                continue
            }
            #expect(lateSettlement.outcome == .cancelled)
            harness.pay(late)
            harness.expectSettled()
        }
    }

    @Test("the client going away resets the open stream and settles as cancelled")
    func clientCancelled() throws {
        var harness = Harness()
        _ = harness.machine.start()
        _ = try harness.pick(Self.podA)
        let action = harness.machine.clientCancelled()
        guard case .finish(let settlement, true, false, .cancelled) = action else {
            Issue.record("expected finish with a reset, got \(action)")
            return
        }
        #expect(settlement.outcome == .cancelled)
        harness.pay(action)
        #expect(
            harness.machine.streamClosed(
                attempt: 1, neverProcessed: false, connectionFailed: false, reason: "reset") == .none)
        harness.expectSettled()
    }

    @Test("no connection to be had ends the call with the pool's error and nothing to settle")
    func noConnection() throws {
        var harness = Harness()
        _ = harness.machine.start()
        let action = harness.machine.noConnection(.noEndpoint(backend: "echo", reason: "it has no endpoints"))
        guard case .finish(let settlement, false, false, .failure(.unavailable, let message)) = action else {
            Issue.record("expected finish, got \(action)")
            return
        }
        #expect(settlement.isEmpty)
        #expect(message.contains("echo"))
        harness.expectSettled()
    }

    @Test("an unreadable reply resets the stream and counts against the pod")
    func invalidResponse() throws {
        var harness = Harness()
        _ = harness.machine.start()
        _ = try harness.pick(Self.podA)
        let action = harness.machine.receivedInvalidResponse(
            attempt: 1, GatewayError(.internalError, "bad response from backend"))
        guard case .finish(let settlement, true, false, .failure(.internalError, _)) = action else {
            Issue.record("expected finish with a reset, got \(action)")
            return
        }
        #expect(settlement.outcome == .unavailable)
        harness.pay(action)
        harness.expectSettled()
    }

    @Test("a retry's permit comes back when the retried attempt fails for good")
    func permitReturnedOnFailure() throws {
        var harness = Harness(retryUnavailable: true)
        _ = harness.machine.start()
        _ = try harness.pick(Self.podA)
        harness.pay(harness.status(.unavailable, attempt: 1))
        _ = try harness.pick(Self.podB)
        let action = harness.machine.clientCancelled()
        #expect(Self.settlement(action)?.permit != nil)
        harness.pay(action)
        harness.expectSettled()
    }
}
