import Foundation
import Synchronization
import Testing

@testable import Discovery

/// When the exec plugin runs: once for many requests, again on expiry and after a 401.
@Suite("Exec credential caching")
struct ExecCredentialSourceTests {
    /// A wall clock the test moves.
    final class Clock: Sendable {
        private let time: Mutex<Date>
        init(_ text: String) { time = Mutex(ExecCredential.parseRFC3339(text)!) }
        func set(_ text: String) { time.withLock { $0 = ExecCredential.parseRFC3339(text)! } }
        var now: Date { time.withLock { $0 } }
    }

    static func source(_ fixture: ExecPluginFixture, clock: Clock) throws -> ExecCredentialSource {
        let plugin = ExecPlugin(
            apiVersion: "client.authentication.k8s.io/v1", command: ExecPluginFixture.script,
            arguments: [fixture.directory], environment: [:], installHint: nil, timeout: .seconds(60))
        return ExecCredentialSource(plugin: plugin, now: { clock.now })
    }

    @Test("a credential is reused until its expirationTimestamp, then the plugin runs again")
    func expiry() async throws {
        let fixture = try ExecPluginFixture()
        let clock = Clock("2030-01-01T11:00:00Z")
        try fixture.reply(token: "first", expiration: "2030-01-01T12:00:00Z")
        let source = try Self.source(fixture, clock: clock)
        #expect(try await source.credential().token == "first")
        clock.set("2030-01-01T11:59:59Z")
        #expect(try await source.credential().token == "first")
        #expect(fixture.runs.count == 1)
        try fixture.reply(token: "second", expiration: "2030-01-01T13:00:00Z")
        clock.set("2030-01-01T12:00:00Z")
        #expect(try await source.credential().token == "second")
        #expect(fixture.runs.count == 2)
    }

    @Test("a credential without expiration is kept until a 401 discards it")
    func noExpiration() async throws {
        let fixture = try ExecPluginFixture()
        let clock = Clock("2030-01-01T11:00:00Z")
        try fixture.reply(token: "first")
        let source = try Self.source(fixture, clock: clock)
        let first = try await source.credential()
        clock.set("2099-01-01T00:00:00Z")
        #expect(try await source.credential() == first)
        try fixture.reply(token: "second")
        source.invalidate(first)
        let second = try await source.credential()
        #expect(second.token == "second")
        source.invalidate(first)  // a late 401 for the old credential discards nothing
        #expect(try await source.credential() == second)
        #expect(fixture.runs.count == 2)
    }

    @Test("requests that need a credential at once share one run of the plugin")
    func singleRun() async throws {
        let fixture = try ExecPluginFixture()
        try fixture.reply(token: "shared")
        try fixture.write("sleep", "0.3")
        let source = try Self.source(fixture, clock: Clock("2030-01-01T11:00:00Z"))
        let tokens = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<8 { group.addTask { try await source.credential().token } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(tokens == Array(repeating: "shared", count: 8))
        #expect(fixture.runs.count == 1)
    }

    @Test("a failed run is not cached: the next request runs the plugin again")
    func failureNotCached() async throws {
        let fixture = try ExecPluginFixture()
        try fixture.write("status", "1")
        let source = try Self.source(fixture, clock: Clock("2030-01-01T11:00:00Z"))
        await #expect(throws: KubernetesError.self) { try await source.credential() }
        try fixture.write("status", "0")
        try fixture.reply(token: "ok")
        #expect(try await source.credential().token == "ok")
        #expect(fixture.runs.count == 2)
    }
}
