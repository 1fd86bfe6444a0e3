import NIOCore
import NIOHTTP1

/// Serves the admin listener: `/healthz` (the process is alive), `/readyz` (the gateway should get traffic),
/// `/metrics` (Prometheus text format), `/routes` (the live route table) and `/endpoints` (every backend's
/// endpoints as its balancer sees them), all to GET.
final class AdminHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let state: GatewayState
    private var path = ""

    init(state: GatewayState) {
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            path = String(head.uri.prefix { $0 != "?" })
        case .body:
            break
        case .end:
            switch path {
            case "/healthz":
                respond(.ok, json: Array(#"{"status":"ok"}"#.utf8), context: context)
            case "/readyz":
                let readiness = state.readiness
                respond(
                    readiness.isReady ? .ok : .serviceUnavailable, json: AdminDocuments.readiness(readiness),
                    context: context)
            case "/routes":
                respond(.ok, json: AdminDocuments.routes(of: state.runtime), context: context)
            case "/endpoints":
                respond(.ok, json: AdminDocuments.endpoints(of: state.runtime), context: context)
            case "/metrics":
                serveMetrics(context: context)
            default:
                respond(
                    .notFound, json: Array(#"{"code":5,"message":"no such admin endpoint","details":[]}"#.utf8),
                    context: context)
            }
        }
    }

    /// Renders the metrics off the event loop (it reads `/proc`), then answers on it.
    private func serveMetrics(context: ChannelHandlerContext) {
        let state = self.state
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        Task {
            let runtime = state.runtime
            let text = state.metrics.exposition(
                backends: runtime.backends, kubernetes: state.kubernetesDiscovery,
                initializeMethods: runtime.config.metrics.initializeMethods)
            bound.eventLoop.execute {
                bound.value.handler.respond(
                    .ok, body: text, contentType: "text/plain; version=0.0.4; charset=utf-8", context: bound.value.context)
            }
        }
    }

    private func respond(_ status: HTTPResponseStatus, json: [UInt8], context: ChannelHandlerContext) {
        respond(status, body: json, contentType: "application/json", context: context)
    }

    private func respond(
        _ status: HTTPResponseStatus, body: [UInt8], contentType: String, context: ChannelHandlerContext
    ) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: contentType)
        headers.add(name: "content-length", value: String(body.count))
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

@available(*, unavailable)
extension AdminHandler: Sendable {}
