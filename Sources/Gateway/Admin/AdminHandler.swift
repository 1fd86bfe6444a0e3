import NIOCore
import NIOHTTP1

/// Serves the admin listener: `/healthz` (the process is alive), `/readyz` (the gateway should get traffic),
/// `/metrics` (Prometheus text format), `/routes` (the live route table), `/endpoints` (every backend's
/// endpoints as its balancer sees them) and `/openapi.json` (the OpenAPI document of the live route table, or of
/// one backend's routes with `?backend=NAME`), all to GET.
final class AdminHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let state: GatewayState
    private var path = ""
    private var query = ""
    private var host: String?

    init(state: GatewayState) {
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            path = String(head.uri.prefix { $0 != "?" })
            query = String(head.uri.dropFirst(path.count + 1))
            host = head.headers.first(name: "host")
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
            case "/openapi.json":
                serveOpenAPI(context: context)
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

    /// Describes the runtime current at the request (reloads swap it) off the event loop: a large route table
    /// takes a while.
    private func serveOpenAPI(context: ChannelHandlerContext) {
        let state = self.state
        let backend = Self.queryValue(named: "backend", in: query)
        let host = self.host
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        Task {
            let reply = AdminHandler.openAPIReply(runtime: state.runtime, backend: backend, host: host)
            bound.eventLoop.execute {
                bound.value.handler.respond(reply.status, json: reply.json, context: bound.value.context)
            }
        }
    }

    private static func openAPIReply(runtime: GatewayRuntime, backend: String?, host: String?)
        -> (status: HTTPResponseStatus, json: [UInt8])
    {
        do throws(GatewayError) {
            let document = try OpenAPIDocument(
                runtime: runtime, backend: backend, serverURL: serverURL(listen: runtime.config.listen, host: host))
            return (.ok, document.json)
        } catch {
            return (HTTPResponseStatus(statusCode: error.httpStatus), error.jsonBody)
        }
    }

    /// The JSON listener's URL for the document's `servers`: its configured address, with the host the admin
    /// request was sent to when it listens on every interface; nil when its port is picked at start.
    private static func serverURL(listen: SocketAddressText, host: String?) -> String? {
        guard listen.port != 0 else { return nil }
        var name = listen.host
        if ["0.0.0.0", "::", ""].contains(name) {
            guard let host else { return nil }
            // The Host header without its port: `name:port` or `[v6]:port`.
            name = host.hasPrefix("[") ? String(host.prefix { $0 != "]" }) + "]" : String(host.prefix { $0 != ":" })
        } else if name.contains(":") {
            name = "[\(name)]"
        }
        return "http://\(name):\(listen.port)"
    }

    /// The percent-decoded value of the first query parameter called `name`.
    private static func queryValue(named name: String, in query: String) -> String? {
        for parameter in query.split(separator: "&") {
            let parts = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            var key: [UInt8] = []
            var value: [UInt8] = []
            guard parts.count == 2, PercentDecoding.decodeQueryComponent(parts[0].utf8, into: &key),
                String(decoding: key, as: UTF8.self) == name,
                PercentDecoding.decodeQueryComponent(parts[1].utf8, into: &value)
            else { continue }
            return String(decoding: value, as: UTF8.self)
        }
        return nil
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
