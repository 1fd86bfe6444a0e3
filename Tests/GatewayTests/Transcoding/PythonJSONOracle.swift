import Foundation
import PorticoTestSupport

/// Python protobuf's JSON mapping (`json_format`) as an oracle: one run of Tests/helpers/json_oracle.py answers
/// a whole batch of questions, so thousands of messages cost one Python start.
enum PythonJSONOracle {
    /// The printing options of one `MessageToJson` call.
    struct PrintOptions: Codable, Hashable, Sendable {
        var protoNames = false
        var unpopulated = false
        var enumsAsInts = false
    }

    /// One question: print wire bytes, or parse JSON text.
    struct Request: Encodable, Sendable {
        var print: String?
        var options: [PrintOptions]?
        var parse: String?
        var type: String?

        /// Print `wire` (a message of `type`) with each of `options`.
        static func print(_ wire: [UInt8], options: [PrintOptions], type: String? = nil) -> Request {
            Request(print: Data(wire).base64EncodedString(), options: options, type: type)
        }

        /// Parse `json` as a message of `type` and serialize it.
        static func parse(_ json: String, type: String? = nil) -> Request {
            Request(parse: json, type: type)
        }
    }

    /// Python's answer: the printed JSON texts, the serialized message, or why it refused.
    struct Answer: Decodable, Sendable {
        var json: [String]?
        var wire: String?
        var error: String?

        var wireBytes: [UInt8]? { wire.flatMap { Data(base64Encoded: $0) }.map { Array($0) } }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("helpers/json_oracle.py").path

    /// Answers `requests` in order, in one Python process (the first `python3` on the PATH, which
    /// `make test` provides with the protobuf package).
    static func answers(to requests: [Request]) async throws -> [Answer] {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("portico-oracle-\(UUID()).jsonl")
        let encoder = JSONEncoder()
        var lines = Data()
        for request in requests {
            lines += try encoder.encode(request)
            lines.append(UInt8(ascii: "\n"))
        }
        try lines.write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }

        let output = try await HelperProcess.run("/usr/bin/env", ["python3", script, input.path], timeout: 300)
        guard output.status == 0 else {
            throw Failure(description: "json_oracle.py exited with \(output.status): \(output.standardError)")
        }
        let decoder = JSONDecoder()
        let answers = try output.standardOutput.split(separator: "\n").map {
            try decoder.decode(Answer.self, from: Data($0.utf8))
        }
        guard answers.count == requests.count else {
            throw Failure(description: "json_oracle.py answered \(answers.count) of \(requests.count) requests")
        }
        return answers
    }
}
