import NIOCore
import NIOEmbedded
import Testing

@testable import Gateway

/// The per-loop deadline list, on an embedded event loop whose clock each test moves (synchronous tests: an
/// embedded loop is used from the thread that created it).
@Suite("Call deadlines: one timer per event loop")
struct CallDeadlinesTests {
    @Test("Each action runs once its deadline passed, in deadline order, and never before")
    func runsInOrder() {
        let loop = EmbeddedEventLoop()
        let deadlines = CallDeadlines(eventLoop: loop)
        var ran: [String] = []
        let start = loop.now
        _ = deadlines.register(start + .seconds(3)) { ran.append("c") }
        _ = deadlines.register(start + .seconds(1)) { ran.append("a") }
        _ = deadlines.register(start + .seconds(2)) { ran.append("b") }

        loop.advanceTime(by: .milliseconds(999))
        #expect(ran.isEmpty)
        loop.advanceTime(by: .milliseconds(1))
        #expect(ran == ["a"])
        loop.advanceTime(by: .seconds(5))
        #expect(ran == ["a", "b", "c"])
        #expect(deadlines.count == 0)
    }

    @Test("A cancelled deadline never runs; cancelling twice, or after it ran, does nothing")
    func cancelled() {
        let loop = EmbeddedEventLoop()
        let deadlines = CallDeadlines(eventLoop: loop)
        var ran: [String] = []
        let start = loop.now
        let first = deadlines.register(start + .seconds(1)) { ran.append("first") }
        let second = deadlines.register(start + .seconds(2)) { ran.append("second") }
        deadlines.cancel(first)
        deadlines.cancel(first)
        #expect(deadlines.count == 1)

        loop.advanceTime(by: .seconds(3))
        #expect(ran == ["second"])
        deadlines.cancel(second)
        #expect(deadlines.count == 0)
    }

    @Test("A deadline earlier than every other moves the one timer forward")
    func earlierDeadlineMovesTheTimer() {
        let loop = EmbeddedEventLoop()
        let deadlines = CallDeadlines(eventLoop: loop)
        var ran: [String] = []
        let start = loop.now
        _ = deadlines.register(start + .seconds(30)) { ran.append("late") }
        _ = deadlines.register(start + .milliseconds(10)) { ran.append("early") }
        loop.advanceTime(by: .milliseconds(10))
        #expect(ran == ["early"])
        loop.advanceTime(by: .seconds(30))
        #expect(ran == ["early", "late"])
    }

    @Test("An action may register a new deadline and cancel another")
    func reentrantActions() {
        let loop = EmbeddedEventLoop()
        let deadlines = CallDeadlines(eventLoop: loop)
        var ran: [String] = []
        let start = loop.now
        var other: CallDeadlines.Registration?
        _ = deadlines.register(start + .seconds(1)) {
            ran.append("first")
            deadlines.cancel(other!)
            _ = deadlines.register(start + .seconds(2)) { ran.append("registered by first") }
        }
        other = deadlines.register(start + .seconds(1)) { ran.append("cancelled by first") }
        loop.advanceTime(by: .seconds(1))
        #expect(ran == ["first"])
        loop.advanceTime(by: .seconds(1))
        #expect(ran == ["first", "registered by first"])
    }

    @Test("Ten thousand calls that end before their deadline leave one live deadline that still runs on time")
    func manyCancelled() {
        let loop = EmbeddedEventLoop()
        let deadlines = CallDeadlines(eventLoop: loop)
        let start = loop.now
        for index in 0..<10_000 {
            let registration = deadlines.register(start + .seconds(30) + .microseconds(Int64(index))) {
                Issue.record("a cancelled deadline ran")
            }
            deadlines.cancel(registration)
        }
        var ran = false
        _ = deadlines.register(start + .seconds(60)) { ran = true }
        #expect(deadlines.count == 1)
        loop.advanceTime(by: .seconds(59))
        #expect(!ran)
        loop.advanceTime(by: .seconds(1))
        #expect(ran)
    }
}
