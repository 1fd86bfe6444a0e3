import NIOCore

/// One `ServerReflectionInfo` call that the gateway answers itself, as a value: the request messages are read as
/// they arrive, each is answered from the catalog with one response message, and the call ends with OK once the
/// client has ended its side. The handler feeds it the stream's events and sends what it returns.
///
/// Failures end the call with a status, as grpc-go's server ends it: a request without a question gets
/// INVALID_ARGUMENT (grpc-go's reflection service); bytes that are no protobuf, a compressed message (no
/// compression is negotiated) or a stream that ends inside a message get INTERNAL, and a message over the limit
/// RESOURCE_EXHAUSTED (grpc-go's transport). A question the catalog cannot answer is no failure: its answer is an
/// `error_response` with NOT_FOUND and the call goes on.
struct ReflectionServerStateMachine {
    /// How the call ends.
    struct Status: Hashable {
        var code: GRPCStatusCode
        var message: String
    }

    /// What to send after an event.
    struct OnReceive: Hashable {
        /// Serialized `ServerReflectionResponse`s, in order, each to be sent as one gRPC message.
        var responses: [[UInt8]] = []
        /// The status that ends the call after the responses; nil while it goes on.
        var status: Status?
    }

    private enum State {
        /// Both sides open: questions are answered as they come.
        case clientOpenServerOpen(Answering)
        /// The server ended the call (its status is sent) or the client went away; nothing more is sent.
        case closed
    }

    /// What an open call keeps.
    private struct Answering {
        var deframer: GRPCMessageDeframer
        /// The files the call carried so far, by name: a file's imports are sent once per call.
        var sentFiles: Set<String> = []
    }

    private let catalog: ReflectionCatalog
    private var state: State

    /// - Parameters:
    ///   - catalog: What the call describes.
    ///   - maxMessageBytes: The largest request message accepted.
    init(catalog: ReflectionCatalog, maxMessageBytes: Int) {
        self.catalog = catalog
        self.state = .clientOpenServerOpen(Answering(deframer: GRPCMessageDeframer(maxMessageBytes: maxMessageBytes)))
    }

    /// Whether the call is over.
    var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    /// The client sent DATA; `endStream` when it ended its side with it.
    mutating func receivedData(_ data: ByteBuffer, endStream: Bool) -> OnReceive {
        guard case .clientOpenServerOpen(var answering) = state else { return OnReceive() }
        state = .closed
        var output = OnReceive()
        let messages: [ByteBuffer]
        do throws(GRPCMessageDeframer.Failure) {
            messages = try answering.deframer.append(data)
        } catch {
            let code: GRPCStatusCode = error.reason == .tooLarge ? .resourceExhausted : .internalError
            output.status = Status(code: code, message: "a request message cannot be read: \(error)")
            return output
        }
        for message in messages {
            do throws(ReflectionCatalog.Refusal) {
                output.responses.append(
                    try catalog.answer(serializedRequest: Array(message.readableBytesView), sentFiles: &answering.sentFiles))
            } catch {
                output.status = Status(code: error.code, message: error.message)
                return output
            }
        }
        if endStream {
            output.status =
                answering.deframer.hasPartialMessage
                ? Status(code: .internalError, message: "the request stream ended inside a message")
                : Status(code: .ok, message: "")
            return output
        }
        state = .clientOpenServerOpen(answering)
        return output
    }

    /// The client reset the stream, or the connection was lost: the call is over, nothing more is sent.
    mutating func clientClosed() {
        state = .closed
    }
}
