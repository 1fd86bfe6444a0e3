import Discovery
import NIOCore
import NIOHTTP1
import Synchronization

/// Serves the admin listener: `/healthz` (the process is alive) and `/readyz` (the gateway accepts
/// requests: listening, not draining, and Kubernetes discovery, if used, has listed every Service once).
final class AdminHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Whether the gateway takes traffic, shared with the server.
    final class Readiness: Sendable {
        private let ready = Mutex(false)
        private let kubernetes = Mutex<KubernetesDiscovery?>(nil)

        /// The Kubernetes discovery whose first complete sync readiness waits for.
        var discovery: KubernetesDiscovery? {
            get { kubernetes.withLock { $0 } }
            set { kubernetes.withLock { $0 = newValue } }
        }

        var isReady: Bool { ready.withLock { $0 } && (discovery?.isSynced ?? true) }
        func markReady() { ready.withLock { $0 = true } }
        func markDraining() { ready.withLock { $0 = false } }
    }

    private let readiness: Readiness
    private var path = ""

    init(readiness: Readiness) {
        self.readiness = readiness
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            path = String(head.uri.prefix { $0 != "?" })
        case .body:
            break
        case .end:
            let (status, body): (HTTPResponseStatus, String) =
                switch path {
                case "/healthz": (.ok, #"{"status":"ok"}"#)
                case "/readyz": readiness.isReady ? (.ok, #"{"status":"ready"}"#) : (.serviceUnavailable, #"{"status":"not ready"}"#)
                default: (.notFound, #"{"code":5,"message":"no such admin endpoint","details":[]}"#)
                }
            var headers = HTTPHeaders()
            headers.add(name: "content-type", value: "application/json")
            headers.add(name: "content-length", value: String(body.utf8.count))
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

@available(*, unavailable)
extension AdminHandler: Sendable {}
