import Foundation

/// A reply as a real HTTP client saw it.
package struct HTTPReply: CustomStringConvertible {
    package var status: Int
    /// Header fields with lowercase names.
    package var headers: [(name: String, value: String)]
    package var body: String

    package func header(_ name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    /// The body parsed as a JSON object.
    package var json: [String: Any] {
        get throws {
            let object = try JSONSerialization.jsonObject(with: Data(body.utf8))
            guard let dictionary = object as? [String: Any] else {
                throw CurlClient.Failure(description: "not a JSON object: \(body)")
            }
            return dictionary
        }
    }

    package var description: String { "HTTP \(status) \(body)" }
}

/// Sends requests with the real `curl` command line client, over HTTP/1.1 or h2c (prior knowledge).
package struct CurlClient {
    /// A client of the server at `baseURL` speaking `version`.
    package init(baseURL: String, version: HTTPVersion = .http1) {
        self.baseURL = baseURL
        self.version = version
    }

    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    package enum HTTPVersion: CaseIterable, Sendable {
        case http1
        case h2c
    }

    /// The gateway's base URL, e.g. `http://127.0.0.1:41234`.
    package var baseURL: String
    package var version: HTTPVersion = .http1

    /// Sends one request and returns the reply.
    ///
    /// - Parameter timeout: Seconds curl gives the whole exchange (`--max-time`).
    package func send(
        _ method: String, _ path: String, body: String? = nil, headers: [String: String] = [:], timeout: Int = 20
    ) async throws -> HTTPReply {
        var arguments = ["-sS", "-i", "--max-time", String(timeout), "-X", method, baseURL + path]
        arguments.append(version == .h2c ? "--http2-prior-knowledge" : "--http1.1")
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) { arguments += ["-H", "\(name): \(value)"] }
        var bodyFile: URL?
        defer { if let bodyFile { try? FileManager.default.removeItem(at: bodyFile) } }
        if let body {
            if headers.keys.allSatisfy({ $0.lowercased() != "content-type" }) {
                arguments += ["-H", "Content-Type: application/json"]
            }
            // Large bodies go through a file: one argument may hold at most 128 KiB (MAX_ARG_STRLEN). curl
            // would wait for a 100 Continue before sending them; the tests want the body sent at once.
            if body.utf8.count > 32 << 10 {
                let file = FileManager.default.temporaryDirectory.appendingPathComponent("portico-\(UUID().uuidString).body")
                try Data(body.utf8).write(to: file)
                bodyFile = file
                arguments += ["-H", "Expect:", "--data-binary", "@\(file.path)"]
            } else {
                arguments += ["--data-binary", body]
            }
        }
        let output = try await HelperProcess.run("/usr/bin/curl", arguments, timeout: Double(timeout + 10))
        guard output.status == 0 else {
            throw Failure(description: "curl \(arguments.joined(separator: " ")) failed: \(output.standardError)")
        }
        return try Self.parse(output.standardOutput)
    }

    /// The final reply in curl's `-i` output; interim (1xx) heads before it are skipped.
    private static func parse(_ output: String) throws -> HTTPReply {
        var output = output[...]
        while output.hasPrefix("HTTP/1.1 1") || output.hasPrefix("HTTP/2 1"), let end = output.range(of: "\r\n\r\n") {
            output = output[end.upperBound...]
        }
        guard let split = output.range(of: "\r\n\r\n") else { throw Failure(description: "no header block in \(output)") }
        let lines = output[..<split.lowerBound].components(separatedBy: "\r\n")
        guard let statusLine = lines.first, let status = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { throw Failure(description: "no status line in \(output)") }
        let headers = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (
                line[..<colon].lowercased(),
                line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            )
        }
        return HTTPReply(status: status, headers: headers, body: String(output[split.upperBound...]))
    }
}
