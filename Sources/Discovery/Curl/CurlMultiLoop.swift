import CCurl
import Foundation
import Synchronization

/// Performs HTTP transfers for the Kubernetes client on one dedicated thread through one curl multi handle.
///
/// Why a thread of its own: curl I/O must never run on a NIO event loop or block Swift's cooperative pool,
/// and one multi handle serves every watch of the process (over HTTP/2 they share one multiplexed
/// connection), so a thousand watched services cost one thread, not a thousand. Callers hand requests over
/// through a locked inbox and wake the thread through a pipe that `curl_multi_poll` watches along with the
/// sockets; responses come back through an `AsyncThrowingStream` per transfer.
final class CurlMultiLoop: Sendable {
    private let inbox: Inbox
    private let wakeFD: Int32

    /// Starts the loop's thread.
    init() throws(CurlError) {
        guard CurlMultiLoop.globalInit == CURLE_OK else { throw CurlError(setup: "curl_global_init failed") }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw CurlError(setup: "pipe failed: errno \(errno)") }
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        let inbox = Inbox()
        self.inbox = inbox
        self.wakeFD = fds[1]
        let readFD = fds[0]
        let thread = Thread {
            guard let runner = Runner(inbox: inbox, wakeFD: readFD) else { return }
            runner.run()
        }
        thread.name = "portico-curl"
        thread.start()
    }

    deinit {
        inbox.post(.shutdown)
        wake()
        close(wakeFD)
    }

    /// Whether the linked libcurl speaks HTTP/2 (it is then negotiated with ALPN on every connection).
    static var supportsHTTP2: Bool { portico_curl_http2_available() != 0 }

    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    /// Starts a transfer. The stream yields the status, then body pieces as they arrive, and ends with the
    /// transfer; cancelling the consuming task (or dropping the stream) aborts the transfer.
    func perform(_ request: HTTPRequest) -> AsyncThrowingStream<HTTPResponsePart, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: HTTPResponsePart.self)
        let id = inbox.nextID()
        continuation.onTermination = { [self] termination in
            if case .cancelled = termination {
                inbox.post(.cancel(id))
                wake()
            }
        }
        inbox.post(.start(id, request, continuation))
        wake()
        return stream
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeFD, &byte, 1)
    }
}

extension CurlMultiLoop {
    fileprivate enum Command: Sendable {
        case start(Int, HTTPRequest, AsyncThrowingStream<HTTPResponsePart, any Error>.Continuation)
        case cancel(Int)
        case shutdown
    }

    /// Commands from any thread to the loop's thread.
    fileprivate final class Inbox: Sendable {
        private let state = Mutex<(nextID: Int, commands: [Command])>((0, []))

        func nextID() -> Int {
            state.withLock {
                $0.nextID += 1
                return $0.nextID
            }
        }

        func post(_ command: Command) { state.withLock { $0.commands.append(command) } }

        func take() -> [Command] {
            state.withLock { state in
                let commands = state.commands
                state.commands.removeAll(keepingCapacity: true)
                return commands
            }
        }
    }

    /// The loop itself; exists only on the loop's thread.
    fileprivate final class Runner {
        private let inbox: Inbox
        private let wakeFD: Int32
        private let multi: UnsafeMutableRawPointer
        private var transfers: [Int: CurlTransfer] = [:]
        private var idsByHandle: [UnsafeMutableRawPointer: Int] = [:]

        init?(inbox: Inbox, wakeFD: Int32) {
            guard let multi = curl_multi_init() else { return nil }
            self.inbox = inbox
            self.wakeFD = wakeFD
            self.multi = multi
            _ = portico_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX))
        }

        func run() {
            while handleCommands() {
                var running: Int32 = 0
                _ = curl_multi_perform(multi, &running)
                collectFinished()
                var wait = curl_waitfd(fd: wakeFD, events: Int16(CURL_WAIT_POLLIN), revents: 0)
                _ = curl_multi_poll(multi, &wait, 1, 1000, nil)
                if wait.revents != 0 { drainWakeups() }
            }
            for (_, transfer) in transfers {
                curl_multi_remove_handle(multi, transfer.handle)
                transfer.abandon()
            }
            transfers.removeAll()
            curl_multi_cleanup(multi)
            close(wakeFD)
        }

        /// Applies queued commands; false once the loop must stop.
        private func handleCommands() -> Bool {
            for command in inbox.take() {
                switch command {
                case .start(let id, let request, let continuation):
                    do {
                        let transfer = try CurlTransfer(request: request, continuation: continuation)
                        curl_multi_add_handle(multi, transfer.handle)
                        transfers[id] = transfer
                        idsByHandle[transfer.handle] = id
                    } catch {
                        continuation.finish(throwing: error)
                    }
                case .cancel(let id):
                    guard let transfer = transfers.removeValue(forKey: id) else { continue }
                    idsByHandle[transfer.handle] = nil
                    curl_multi_remove_handle(multi, transfer.handle)
                    transfer.abandon()
                case .shutdown:
                    return false
                }
            }
            return true
        }

        private func collectFinished() {
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle,
                    let id = idsByHandle.removeValue(forKey: handle),
                    let transfer = transfers.removeValue(forKey: id)
                else { continue }
                let result = message.pointee.data.result
                curl_multi_remove_handle(multi, handle)
                transfer.complete(result)
            }
        }

        private func drainWakeups() {
            var buffer = [UInt8](repeating: 0, count: 64)
            while read(wakeFD, &buffer, buffer.count) > 0 {}
        }
    }
}
