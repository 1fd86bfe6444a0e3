import Testing

@Suite("Backends that die and come back")
struct FailoverEndToEndTests {
    @Test("a backend killed mid-run: requests go on to the other instance without errors")
    func backendKilled() async throws {
        try await withGateway(echo: 2, library: 0) { gateway in
            let client = gateway.client()
            for _ in 0..<4 {
                #expect(try client.send("POST", "/v1/echo", body: #"{"message":"before"}"#).status == 200)
            }
            await gateway.backend(named: "echo-1").kill()
            var servedBy: [String] = []
            for _ in 0..<10 {
                let reply = try client.send("POST", "/v1/echo", body: #"{"message":"after"}"#)
                #expect(reply.status == 200, "\(reply)")
                servedBy.append(try reply.json["servedBy"] as? String ?? "")
            }
            #expect(Set(servedBy) == ["echo-2"])
        }
    }

    @Test("with every backend gone, requests are 503 at once, not after a timeout")
    func allBackendsDown() async throws {
        try await withGateway(echo: 1, library: 0) { gateway in
            let client = gateway.client()
            #expect(try client.send("POST", "/v1/echo", body: "{}").status == 200)
            await gateway.backend(named: "echo-1").kill()
            // The first call may still find the dying connection; once it is down the answer is immediate.
            let deadline = ContinuousClock.now + .seconds(5)
            var last = try client.send("POST", "/v1/echo", body: "{}")
            while last.status != 503 && ContinuousClock.now < deadline {
                last = try client.send("POST", "/v1/echo", body: "{}")
            }
            #expect(last.status == 503, "\(last)")
            let started = ContinuousClock.now
            let reply = try client.send("POST", "/v1/echo", body: "{}")
            #expect(reply.status == 503)
            #expect(ContinuousClock.now - started < .seconds(2))
        }
    }
}
