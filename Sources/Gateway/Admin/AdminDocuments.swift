import Balancer

/// The JSON documents of the admin endpoints.
enum AdminDocuments {
    /// `/readyz`: `{"status":"ready"}`, or `{"status":"not ready","reason":…}`.
    static func readiness(_ readiness: GatewayState.Readiness) -> [UInt8] {
        var out: [UInt8] = []
        out.append(contentsOf: #"{"status":"#.utf8)
        JSONString.append(readiness.isReady ? "ready" : "not ready", to: &out)
        out.append(contentsOf: #","reason":"#.utf8)
        JSONString.append(readiness.reason, to: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// `/routes`: every route of the live table, in its order, with its gRPC method and backend; then the routes
    /// (`leftOut`) and services (`leftOutServices`) left out because an earlier backend claims them.
    static func routes(of runtime: GatewayRuntime) -> [UInt8] {
        var out = Array(#"{"routes":["#.utf8)
        for (index, route) in runtime.routes.routes.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            let method = route.target.method
            field("method", first: true, &out)
            JSONString.append(route.httpMethod, to: &out)
            field("path", &out)
            JSONString.append(route.template.description, to: &out)
            field("grpcMethod", &out)
            JSONString.append(method.fullName, to: &out)
            field("grpcType", &out)
            JSONString.append(
                MethodMetrics.CallType(
                    clientStreaming: method.isClientStreaming, serverStreaming: method.isServerStreaming
                ).rawValue, to: &out)
            field("backend", &out)
            JSONString.append(route.target.backend.name, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: #"],"leftOut":["#.utf8)
        for (index, leftOut) in runtime.routes.leftOut.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            field("method", first: true, &out)
            JSONString.append(leftOut.route.httpMethod, to: &out)
            field("path", &out)
            JSONString.append(leftOut.route.template.description, to: &out)
            field("grpcMethod", &out)
            JSONString.append(leftOut.route.target.method.fullName, to: &out)
            field("backend", &out)
            JSONString.append(leftOut.route.target.backend.name, to: &out)
            field("keptPath", &out)
            JSONString.append(leftOut.kept.template.description, to: &out)
            field("keptGrpcMethod", &out)
            JSONString.append(leftOut.kept.target.method.fullName, to: &out)
            field("keptBackend", &out)
            JSONString.append(leftOut.kept.target.backend.name, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: #"],"leftOutServices":["#.utf8)
        for (index, conflict) in runtime.serviceConflicts.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            field("service", first: true, &out)
            JSONString.append(conflict.service, to: &out)
            field("backend", &out)
            JSONString.append(conflict.leftOutBackend, to: &out)
            field("keptBackend", &out)
            JSONString.append(conflict.keptBackend, to: &out)
            out.append(UInt8(ascii: "}"))
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    /// `/endpoints`: every backend's balancer state and endpoints.
    static func endpoints(of runtime: GatewayRuntime) -> [UInt8] {
        var out = Array(#"{"backends":["#.utf8)
        let now = ContinuousClock.now
        for (index, backend) in runtime.backends.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            let status = backend.balancer.status()
            field("name", first: true, &out)
            JSONString.append(backend.name, to: &out)
            field("strategy", &out)
            JSONString.append(status.strategy.rawValue, to: &out)
            number("inFlight", status.inFlight, &out)
            number("ejectionsEnforced", status.ejectionsEnforced, &out)
            number("ejectionsOverflowed", status.ejectionsOverflowed, &out)
            number("activeRetries", status.activeRetries, &out)
            number("retryOverflows", status.retryOverflows, &out)
            out.append(contentsOf: #","endpoints":["#.utf8)
            for (position, endpoint) in status.endpoints.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                field("address", first: true, &out)
                JSONString.append(endpoint.endpoint.description, to: &out)
                field("state", &out)
                JSONString.append(endpoint.ejectedUntil == nil ? "serving" : "ejected", to: &out)
                field("connection", &out)
                JSONString.append(backend.connectivity.state(of: endpoint.endpoint).rawValue, to: &out)
                number("inFlight", endpoint.inFlight, &out)
                number("ewmaSeconds", endpoint.latencyEstimate.inSeconds, &out)
                number("failurePenaltySeconds", endpoint.failurePenalty.inSeconds, &out)
                number("consecutiveFailures", endpoint.consecutiveFailures, &out)
                number("timesEjected", endpoint.timesEjected, &out)
                number("ejectedForSeconds", endpoint.ejectedUntil.map { max(0, (now.duration(to: $0)).inSeconds) } ?? 0, &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(contentsOf: "]}".utf8)
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    /// Appends `"name":` after a `{` (first) or a `,`.
    private static func field(_ name: String, first: Bool = false, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: first ? "{" : ","))
        JSONString.append(name, to: &out)
        out.append(UInt8(ascii: ":"))
    }

    private static func number(_ name: String, _ value: some Numeric & CustomStringConvertible, _ out: inout [UInt8]) {
        field(name, &out)
        out.append(contentsOf: value.description.utf8)
    }
}
