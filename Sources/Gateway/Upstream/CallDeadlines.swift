import HeapModule
import NIOCore

/// The deadlines of every upstream call on one event loop, served by one NIO timer.
///
/// A call registers its deadline when it starts and cancels it when it ends, almost always long before the
/// deadline. One `scheduleTask` per call cost about 1.5 µs under load (NIO's cancel takes the loop's task lock and
/// searches its timer heap linearly); here registering is a heap insert, cancelling a dictionary removal, and the
/// one timer is moved only when a deadline earlier than every other arrives. Cancelled entries leave the heap when
/// they come to its top, or all at once when they outnumber the live ones twice over, so the heap stays within
/// three times the calls in flight.
///
/// Bound to its event loop: use it there only.
final class CallDeadlines {
    /// One registered deadline, to cancel it.
    struct Registration: Hashable {
        fileprivate let id: UInt64
    }

    private struct Entry: Comparable {
        let deadline: NIODeadline
        let id: UInt64

        static func < (lhs: Entry, rhs: Entry) -> Bool {
            (lhs.deadline, lhs.id) < (rhs.deadline, rhs.id)
        }
    }

    private let eventLoop: any EventLoop
    private var heap = Heap<Entry>()
    /// The action of every registration neither cancelled nor run yet.
    private var actions: [UInt64: () -> Void] = [:]
    private var lastID: UInt64 = 0
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// How many registrations are live (neither cancelled nor run).
    var count: Int { actions.count }

    /// Runs `action` on the event loop once `deadline` has passed, unless cancelled first.
    func register(_ deadline: NIODeadline, action: @escaping () -> Void) -> Registration {
        lastID += 1
        actions[lastID] = action
        heap.insert(Entry(deadline: deadline, id: lastID))
        if timerDeadline.map({ deadline < $0 }) ?? true {
            arm(at: deadline)
        }
        return Registration(id: lastID)
    }

    /// Forgets a registration; its action will not run. Cancelling one that ran or was cancelled does nothing.
    func cancel(_ registration: Registration) {
        guard actions.removeValue(forKey: registration.id) != nil else { return }
        if heap.count > 2 * actions.count + 64 {
            heap = Heap(heap.unordered.filter { actions[$0.id] != nil })
        }
    }

    private func arm(at deadline: NIODeadline) {
        timer?.cancel()
        timerDeadline = deadline
        timer = eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { self.fire() }
    }

    /// Runs the actions whose deadline passed, then sets the timer for the next live one.
    private func fire() {
        timer = nil
        timerDeadline = nil
        let now = eventLoop.now
        while let first = heap.min, first.deadline <= now || actions[first.id] == nil {
            heap.removeMin()
            // An action may register or cancel deadlines; it runs after its entry left the heap.
            actions.removeValue(forKey: first.id)?()
        }
        if let first = heap.min, timerDeadline.map({ first.deadline < $0 }) ?? true {
            arm(at: first.deadline)
        }
    }
}

@available(*, unavailable)
extension CallDeadlines: Sendable {}
