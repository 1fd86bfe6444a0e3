import Foundation
import Testing

@testable import Discovery

@Suite("Watch stream framing, events and backoff")
struct WatchPrimitivesTests {
    @Test("lines are cut at newlines whatever the pieces, blank lines skipped")
    func framing() {
        var framer = JSONLineFramer()
        var lines: [String] = []
        for piece in ["{\"a\":", "1}\n\n  \n{\"b\":2}\n{\"c\"", ":3}", "\n"] {
            framer.append(Array(piece.utf8))
            while let line = framer.next() { lines.append(String(decoding: line, as: UTF8.self)) }
        }
        #expect(lines == ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"])
    }

    @Test("a long stream keeps the framer's buffer small")
    func framingCompacts() {
        var framer = JSONLineFramer()
        var count = 0
        for index in 0..<10_000 {
            framer.append(Array("{\"n\":\(index)}\n{\"half\":".utf8))
            framer.append(Array("true}\n".utf8))
            while framer.next() != nil { count += 1 }
        }
        #expect(count == 20_000)
    }

    @Test("watch events decode by type: objects, bookmarks, errors")
    func events() throws {
        let decoder = JSONDecoder()
        func decode(_ text: String) throws -> WatchEvent<EndpointSlice> {
            try decoder.decode(WatchEvent<EndpointSlice>.self, from: Data(text.utf8))
        }
        guard
            case .added(let slice) = try decode(
                #"{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"5"},"endpoints":null}}"#)
        else { Issue.record("not added"); return }
        #expect(slice.metadata.resourceVersion == "5")
        guard
            case .bookmark(let version) = try decode(
                #"{"type":"BOOKMARK","object":{"kind":"EndpointSlice","metadata":{"resourceVersion":"9"}}}"#)
        else { Issue.record("not a bookmark"); return }
        #expect(version == "9")
        guard
            case .error(let status) = try decode(
                #"{"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired"}}"#)
        else { Issue.record("not an error"); return }
        #expect(status.code == 410)
        #expect(throws: DecodingError.self) { try decode(#"{"type":"ADDED","object":{"endpoints":"oops"}}"#) }
        #expect(throws: DecodingError.self) { try decode(#"{"type":"EXPLODED","object":{}}"#) }
    }

    @Test("backoff doubles from the first delay to the maximum, stays within the jitter, and resets")
    func backoff() {
        var state = BackoffState(KubernetesConfig.Backoff.defaults)
        var random = SystemRandomNumberGenerator()
        var bases: [Double] = []
        for _ in 0..<10 {
            let delay = state.next(using: &random)
            bases.append(Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
        }
        let expected = [0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30, 30, 30, 30]
        for (delay, base) in zip(bases, expected) {
            #expect(delay >= base * 0.8 - 1e-9 && delay <= base * 1.2 + 1e-9)
        }
        state.reset()
        let reset = state.next(using: &random)
        #expect(reset >= .milliseconds(640) && reset <= .milliseconds(960))
        var exact = BackoffState(.init(initial: .milliseconds(100), maximum: .milliseconds(250), jitter: 0))
        #expect(
            [exact.next(using: &random), exact.next(using: &random), exact.next(using: &random)] == [
                .milliseconds(100), .milliseconds(200), .milliseconds(250),
            ])
    }
}
