import DemoServices
import Gateway
import PorticoTestSupport
import Testing

@Suite("Access log")
struct AccessLogTests {
    @Test("with accessLog on, each request logs its route template, status, code, duration and endpoint, never a secret")
    func accessLine() async throws {
        let logs = RecordingLogHandler.Store()
        try await withGateway(echo: 1, library: 0, logger: logs.logger(), configure: { $0.accessLog = true }) { gateway in
            let reply = try await gateway.client().send(
                "GET", "/v1/echo/hello?token=s3cr3t", headers: ["Authorization": "Bearer s3cr3t"])
            #expect(reply.status == 200, "\(reply)")
            let failed = try await gateway.client().send("POST", "/v1/echo", body: #"{"message":"x","failCode":5}"#)
            #expect(failed.status == 404)
            let backend = try #require(gateway.backends.first)
            // The line is logged once the reply has gone out, so it may come just after the client has it.
            var lines = logs.all.filter { $0.message == "access" }
            let deadline = ContinuousClock.now + .seconds(10)
            while lines.count < 2 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                lines = logs.all.filter { $0.message == "access" }
            }
            #expect(lines.count == 2)
            let first = try #require(lines.first)
            #expect(first.metadata["method"] == "GET")
            #expect(first.metadata["route"]?.hasPrefix("/v1/echo/") == true)
            #expect(first.metadata["status"] == "200")
            #expect(first.metadata["grpc_code"] == "OK")
            #expect(first.metadata["endpoint"] == "\(backend.host):\(backend.port)")
            #expect(Double(first.metadata["duration_ms"] ?? "") != nil)
            #expect(lines.last?.metadata["status"] == "404")
            #expect(lines.last?.metadata["grpc_code"] == "NotFound")
            let everything = logs.all.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
            #expect(!everything.contains("s3cr3t"), "\(everything)")
        }
    }

    @Test("with accessLog off, requests log no access line")
    func off() async throws {
        let logs = RecordingLogHandler.Store()
        try await withGateway(echo: 1, library: 0, logger: logs.logger()) { gateway in
            let reply = try await gateway.client().send("POST", "/v1/echo", body: #"{"message":"x"}"#)
            #expect(reply.status == 200)
            #expect(!logs.all.contains { $0.message == "access" })
        }
    }
}
