import Foundation
import NIOCore
import NIOPosix
import PorticoTestSupport
import Testing

@testable import Gateway

/// The reflection client over sockets, against grpcio servers with (and without) reflection and a silent TCP
/// server.
@Suite("Reflection client over sockets")
struct ReflectionClientTests {
    static let script = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("helpers/reflection_server.py").path

    /// Starts `reflection_server.py` with `arguments`; returns it and its port.
    static func startServer(_ arguments: [String]) async throws -> (HelperProcess, Int) {
        let (helper, line) = try await HelperProcess.startPrintingReadyLine(
            "/usr/bin/env", ["python3", script] + arguments)
        let port = try #require(Int(line), "the reflection server printed \(line.debugDescription)")
        return (helper, port)
    }

    /// The path of a test resource, e.g. `transcoding_test.pb`.
    static func resource(_ name: String) throws -> String {
        try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Resources")).path
    }

    static func fetch(port: Int, timeout: Duration = .seconds(10)) async throws(ReflectionError) -> ReflectedDescriptors
    {
        let client = ReflectionClient(config: .init(timeout: timeout, maxMessageBytes: 16 << 20))
        return try await client.fetchDescriptors(
            host: "127.0.0.1", port: port, eventLoop: MultiThreadedEventLoopGroup.singleton.next())
    }

    static func fetchError(port: Int, timeout: Duration) async -> ReflectionError? {
        do throws(ReflectionError) {
            _ = try await fetch(port: port, timeout: timeout)
            return nil
        } catch {
            return error
        }
    }

    /// A fresh events file for the server to write to.
    static func eventsFile() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("portico-reflection-\(UUID().uuidString).events")
            .path
    }

    /// Polls the events file until it holds `event`, for at most `limit`.
    static func waitForEvent(_ event: String, in path: String, within limit: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: path, encoding: .utf8),
                text.split(separator: "\n").contains(Substring(event))
            {
                return true
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    @Test("Over v1, the files of every service with their imports build a pool with the HTTP rules")
    func v1() async throws {
        let (server, port) = try await Self.startServer([try Self.resource("transcoding_test.pb")])
        defer { server.stop() }
        let descriptors = try await Self.fetch(port: port)
        #expect(descriptors.version == .v1)
        #expect(descriptors.services == ["portico.test.Library"])
        #expect(descriptors.files.last?.name == "transcoding_test.proto")
        #expect(descriptors.files.count == 11)
        let pool = try DescriptorPool(descriptorSets: [(source: "reflection", bytes: descriptors.fileDescriptorSet)])
        let library = try #require(pool.service(named: "portico.test.Library"))
        let getBook = try #require(library.methods.first { $0.name == "GetBook" })
        #expect(getBook.httpBindings.first?.httpMethod == "GET")
        #expect(getBook.httpBindings.first?.pathTemplate == "/v1/{name=shelves/*/books/*}")
        // The same rules as protoc's own descriptor set of the file gives.
        let path = try Self.resource("transcoding_test.pb")
        let compiled = try DescriptorPool(
            descriptorSets: [(source: path, bytes: Array(try Data(contentsOf: URL(fileURLWithPath: path))))])
        let expected = try #require(compiled.service(named: "portico.test.Library")).methods
        #expect(library.methods.map(\.grpcPath) == expected.map(\.grpcPath))
        #expect(library.methods.map(\.httpBindings) == expected.map(\.httpBindings))
    }

    @Test("A server with grpcio-reflection's v1alpha only is asked through the fallback")
    func v1alpha() async throws {
        let (server, port) = try await Self.startServer([try Self.resource("raw_echo.pb"), "--reflection", "v1alpha"])
        defer { server.stop() }
        let descriptors = try await Self.fetch(port: port)
        #expect(descriptors.version == .v1alpha)
        #expect(descriptors.services == ["echo.Echo", "echo.Files"])
        let pool = try DescriptorPool(descriptorSets: [(source: "reflection", bytes: descriptors.fileDescriptorSet)])
        let unary = try #require(pool.method(grpcPath: "/echo.Echo/Unary"))
        #expect(!unary.httpBindings.isEmpty)
        #expect(pool.service(named: "echo.Files") != nil)
    }

    @Test("A server that sends each file without its imports is asked for the imports by name")
    func oneFilePerAnswer() async throws {
        let (server, port) = try await Self.startServer([
            try Self.resource("transcoding_test.pb"), "--one-file-per-answer",
        ])
        defer { server.stop() }
        let descriptors = try await Self.fetch(port: port)
        #expect(descriptors.files.count == 11)
        #expect(Set(descriptors.files.map(\.name)).count == 11)
        let pool = try DescriptorPool(descriptorSets: [(source: "reflection", bytes: descriptors.fileDescriptorSet)])
        #expect(pool.method(grpcPath: "/portico.test.Library/GetBook")?.httpBindings.isEmpty == false)
    }

    @Test("A server without reflection is unimplemented")
    func noReflection() async throws {
        let (server, port) = try await Self.startServer([try Self.resource("raw_echo.pb"), "--reflection", "none"])
        defer { server.stop() }
        let error = await Self.fetchError(port: port, timeout: .seconds(10))
        #expect(error?.code == .unimplemented)
        #expect(error?.endpoint == "127.0.0.1:\(port)")
    }

    @Test("A closed port is unreachable")
    func unreachable() async throws {
        let (server, port) = try await Self.startServer(["--silent"])
        server.stop()
        let error = await Self.fetchError(port: port, timeout: .seconds(10))
        #expect(error?.code == .unreachable)
    }

    @Test("A server that takes the reflection call and never answers times out, and the call is ended")
    func hangingReflection() async throws {
        let events = Self.eventsFile()
        defer { try? FileManager.default.removeItem(atPath: events) }
        let (server, port) = try await Self.startServer([
            try Self.resource("raw_echo.pb"), "--hang-reflection", "--events", events,
        ])
        defer { server.stop() }
        let error = await Self.fetchError(port: port, timeout: .seconds(2))
        #expect(error?.code == .timeout)
        #expect(try await Self.waitForEvent("reflection-ended", in: events, within: .seconds(10)))
    }

    @Test("A TCP server that reads and never answers times out, and the connection is closed")
    func silentServer() async throws {
        let events = Self.eventsFile()
        defer { try? FileManager.default.removeItem(atPath: events) }
        let (server, port) = try await Self.startServer(["--silent", "--events", events])
        defer { server.stop() }
        let error = await Self.fetchError(port: port, timeout: .seconds(2))
        #expect(error?.code == .timeout)
        #expect(try await Self.waitForEvent("closed", in: events, within: .seconds(10)))
    }
}
