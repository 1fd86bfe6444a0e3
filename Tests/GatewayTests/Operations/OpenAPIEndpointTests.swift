import DemoServices
import Foundation
import Gateway
import PorticoTestSupport
import Testing

@Suite("GET /openapi.json on the admin port, checked by openapi-spec-validator and schemathesis")
struct OpenAPIEndpointTests {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("helpers/check_openapi.py").path

    @Test("describes the live route table; the demo through the gateway never answers 5xx or off its schema")
    func validatedAndFuzzed() async throws {
        try await withGateway(echo: 1, library: 1) { gateway in
            let admin = CurlClient(baseURL: "http://\(gateway.adminAddress)")
            let reply = try await admin.send("GET", "/openapi.json")
            #expect(reply.status == 200)
            let paths = try #require(try reply.json["paths"] as? [String: Any])
            #expect(paths["/v1/shelves/{name_1}/books/{name_2}"] != nil)
            #expect(paths["/v1/echo/{message}"] != nil)

            // Validation, schemathesis (≤ 40 s of generated requests) and the streamed lines, in Python.
            let output = try await HelperProcess.run(
                "/usr/bin/env",
                [
                    "python3", Self.script, "http://\(gateway.adminAddress)", gateway.baseURL, "--examples", "10",
                    "--max-time", "40", "--stream", "GET:/v1/echo:expand?message=hi&count=3",
                ],
                timeout: 240)
            let text = output.standardOutput + output.standardError
            #expect(output.status == 0, "\(text)")
            #expect(text.contains("openapi-spec-validator accepts the document"), "\(text)")
            #expect(text.contains("check_openapi: ") && text.contains(" 0 failed"), "\(text)")
        }
    }

    @Test("?backend=NAME describes one backend; an unknown one is 404 with the JSON error body")
    func oneBackend() async throws {
        try await withGateway(echo: 1, library: 1) { gateway in
            let admin = CurlClient(baseURL: "http://\(gateway.adminAddress)")
            let library = try await admin.send("GET", "/openapi.json?backend=library")
            #expect(library.status == 200)
            let paths = try #require(try library.json["paths"] as? [String: Any])
            #expect(paths["/v1/shelves"] != nil)
            #expect(paths.keys.allSatisfy { !$0.contains("echo") })
            let unknown = try await admin.send("GET", "/openapi.json?backend=nope")
            #expect(unknown.status == 404)
            #expect(try unknown.json["message"] as? String == "no backend named nope")
        }
    }

    @Test("a reload changes the document: it is built from the runtime current at the request")
    func followsReloads() async throws {
        try await withGateway(echo: 1, library: 1) { gateway in
            let admin = CurlClient(baseURL: "http://\(gateway.adminAddress)")
            var config = gateway.server.config
            config.backends.removeAll { $0.name == "library" }
            try await gateway.server.reload(config: config)
            let reply = try await admin.send("GET", "/openapi.json")
            let paths = try #require(try reply.json["paths"] as? [String: Any])
            #expect(paths["/v1/shelves"] == nil)
            #expect(paths["/v1/echo"] != nil)
        }
    }
}
