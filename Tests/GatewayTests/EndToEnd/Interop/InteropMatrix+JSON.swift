import Foundation
import PorticoTestSupport
import Testing

/// The cases of the interop matrix, run by each stack's suite against its own environment.
enum InteropMatrix {
    /// Seconds curl gives one JSON exchange: the largest takes a few on a loaded 2-core machine in a debug
    /// build; a hung one fails in this time.
    static let jsonTimeout = 20

    /// Metadata a client sends, expected at the backend unchanged.
    static let tenant = (key: "x-interop-tenant", value: "blue")

    /// A JSON object body whose `message` is `message` (which needs no escaping) and whose other members are
    /// `members`, written as they are.
    static func body(message: String, _ members: String = "") -> String {
        #"{"message":""# + message + #"""# + (members.isEmpty ? "" : "," + members) + "}"
    }

    /// A short description of a reply whose body may be megabytes long.
    static func summary(_ reply: HTTPReply) -> String {
        "HTTP \(reply.status), \(reply.body.utf8.count) bytes: \(reply.body.prefix(300))"
    }

    /// The JSON objects of a newline-delimited body, split as bytes: the bodies here are megabytes long.
    static func lines(_ body: String) throws -> [[String: Any]] {
        try body.utf8.split(separator: UInt8(ascii: "\n")).map { line in
            try #require(JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        }
    }

    // MARK: - JSON

    /// POST /v1/echo: the message goes up in the JSON body and comes back in the JSON reply.
    static func jsonUnary(_ version: CurlClient.HTTPVersion, _ size: InteropSize) async throws {
        let environment = try InteropEnvironment.required()
        try await environment.taking(size) {
            let message = size.message()
            let reply = try await environment.curl(version).send(
                "POST", "/v1/echo", body: body(message: message), timeout: jsonTimeout)
            try #require(reply.status == 200, "\(summary(reply))")
            #expect(reply.header("content-type") == "application/json")
            let json = try reply.json
            // proto3 JSON leaves out an empty string.
            expectSamePayload(json["message"] as? String ?? "", message, "the echoed message")
            #expect(json["servedBy"] as? String == environment.stack.backendName)
        }
    }

    /// POST /v1/echo with `failCode`: the message goes up, only a small error comes back, so a failure here is
    /// the request's direction.
    static func jsonRequestOnly(_ version: CurlClient.HTTPVersion, _ size: InteropSize) async throws {
        let environment = try InteropEnvironment.required()
        try await environment.taking(size) {
            let reply = try await environment.curl(version).send(
                "POST", "/v1/echo", body: body(message: size.message(), #""failCode":5"#), timeout: jsonTimeout)
            #expect(reply.status == 404, "\(summary(reply))")
            let json = try reply.json
            #expect(json["code"] as? Int == 5)
            #expect(json["message"] as? String == "requested failure")
            // The backend's grpc-status-details-bin: one ErrorInfo, printed with its @type.
            let details = json["details"] as? [[String: Any]] ?? []
            #expect(details.count == 1, "\(summary(reply))")
            #expect(details.first?["@type"] as? String == "type.googleapis.com/google.rpc.ErrorInfo")
            #expect(details.first?["reason"] as? String == "REQUESTED_FAILURE")
            #expect((details.first?["metadata"] as? [String: String])?["code"] == "5")
        }
    }

    /// POST /v1/echo:expand: the message goes up in the JSON body and comes back twice, one `{"result": …}`
    /// line each.
    static func jsonServerStreaming(_ version: CurlClient.HTTPVersion, _ size: InteropSize) async throws {
        let environment = try InteropEnvironment.required()
        try await environment.taking(size) {
            let message = size.message()
            let reply = try await environment.curl(version).send(
                "POST", "/v1/echo:expand", body: body(message: message, #""count":2"#), timeout: jsonTimeout)
            try #require(reply.status == 200, "\(summary(reply))")
            let results = try lines(reply.body).map {
                try #require($0["result"] as? [String: Any], "not a result line: \($0.keys)")
            }
            try #require(results.count == 2, "\(summary(reply))")
            for (index, result) in results.enumerated() {
                expectSamePayload(result["message"] as? String ?? "", message, "message \(index)")
                #expect(result["sequence"] as? Int ?? 0 == index)
                #expect(result["servedBy"] as? String == environment.stack.backendName)
            }
        }
    }

    /// Grpc-Metadata-* reaches the backend, the backend's headers come back as Grpc-Metadata-* and its
    /// trailers as Grpc-Trailer-*, and a Grpc-Timeout travels as the call's deadline; for a server-streaming
    /// call too.
    static func jsonMetadata(_ version: CurlClient.HTTPVersion) async throws {
        let environment = try InteropEnvironment.required()
        let client = environment.curl(version)
        let headers = ["Grpc-Metadata-X-Interop-Tenant": tenant.value, "Grpc-Timeout": "20S"]
        let reply = try await client.send(
            "POST", "/v1/echo",
            body: body(
                message: "m",
                #""delayMs":20,"responseHeaders":[{"key":"x-color","value":"red"}],"#
                    + #""responseTrailers":[{"key":"x-cost","value":"3"}]"#),
            headers: headers, timeout: jsonTimeout)
        try #require(reply.status == 200, "\(summary(reply))")
        let seen = try reply.json["receivedMetadata"] as? [String: String] ?? [:]
        #expect(seen[tenant.key] == tenant.value, "\(seen)")
        #expect(seen["grpc-timeout"] != nil, "the deadline did not reach the backend: \(seen)")
        #expect(reply.header("grpc-metadata-served-by") == environment.stack.backendName)
        #expect(reply.header("grpc-metadata-x-color") == "red")
        #expect(reply.header("grpc-trailer-x-cost") == "3")

        let failed = try await client.send(
            "POST", "/v1/echo", body: body(message: "", #""failCode":5,"responseTrailers":[{"key":"x-why","value":"gone"}]"#),
            timeout: jsonTimeout)
        #expect(failed.status == 404, "\(summary(failed))")
        #expect(failed.header("grpc-trailer-x-why") == "gone")

        let stream = try await client.send(
            "POST", "/v1/echo:expand", body: body(message: "s", #""count":2"#), headers: headers, timeout: jsonTimeout)
        try #require(stream.status == 200, "\(summary(stream))")
        #expect(stream.header("grpc-metadata-served-by") == environment.stack.backendName)
        let results = try lines(stream.body).compactMap { $0["result"] as? [String: Any] }
        #expect(results.count == 2)
        for result in results {
            #expect((result["receivedMetadata"] as? [String: String])?[tenant.key] == tenant.value)
        }
    }

    /// A Grpc-Timeout (300 ms) shorter than the backend's delay (10 s): 504 with DEADLINE_EXCEEDED, unary and
    /// server-streaming. Without the deadline the call would succeed once the delay is over, so the status
    /// is what counts; how long it took is not checked, as a loaded machine stretches it.
    static func jsonDeadline(_ version: CurlClient.HTTPVersion) async throws {
        let environment = try InteropEnvironment.required()
        let client = environment.curl(version)
        let calls = [
            ("/v1/echo", body(message: "late", #""delayMs":10000"#)),
            ("/v1/echo:expand", body(message: "late", #""count":1,"intervalMs":10000"#)),
        ]
        for (path, requestBody) in calls {
            let reply = try await client.send(
                "POST", path, body: requestBody, headers: ["Grpc-Timeout": "300m"], timeout: jsonTimeout)
            #expect(reply.status == 504, "\(path): \(summary(reply))")
            #expect(try reply.json["code"] as? Int == 4, "\(path): \(summary(reply))")
        }
    }
}
