import Balancer
import Logging
import NIOCore

/// Keeps one `reflection` backend's schema current: asks its pods over gRPC server reflection when they
/// change and every `reflection.refreshInterval` (`SchemaRefreshState` decides when and whom), compiles each
/// new answer, and hands a usable one to the gateway. A failure is logged and counted, and the last good
/// schema stays in force.
struct SchemaRefresher: Sendable {
    /// What the refresher reacts to.
    private enum Event: Sendable {
        case pods([EndpointAddress])
        case timerFired
        case answered(EndpointAddress, Result<ReflectedDescriptors, ReflectionError>)
    }

    /// The backend whose schema is kept.
    let backend: BackendRuntime
    /// The schema in force when the refresher starts (kept across reloads), if any.
    let current: ReflectedSchema?
    /// Where each exchange's connection lives.
    let eventLoop: any EventLoop
    /// The gateway's JSON options and limits, for checking that a schema's routes build.
    let config: GatewayConfig
    /// Where the checked routes' series are made.
    let metrics: GatewayMetrics
    /// The directory of message types the schemas join.
    let types: TypeDirectory
    /// Where the schemas' descriptor files are kept once.
    let descriptorFiles: DescriptorFileStore
    /// Serves a new schema (with its routes, already built) from now on.
    let install: @Sendable (ReflectedSchema, BackendAPI) async -> Void
    let logger: Logger

    /// Runs until the task is cancelled.
    /// - Parameter pods: The backend's serving pods, each time they change.
    func run(pods: AsyncStream<[EndpointAddress]>) async {
        guard let settings = backend.config.reflection else { return }
        let client = ReflectionClient(
            config: .init(timeout: settings.timeout, maxMessageBytes: settings.maxMessageBytes))
        let (events, continuation) = AsyncStream.makeStream(of: Event.self)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await list in pods { continuation.yield(.pods(list)) }
            }
            var state = SchemaRefreshState(refreshInterval: settings.refreshInterval)
            var schema = current
            var timer: Task<Void, Never>?
            for await event in events {
                let action: SchemaRefreshState.Action
                switch event {
                case .pods(let list):
                    action = state.podsChanged(to: list, now: .now)
                case .timerFired:
                    action = state.timerFired(now: .now)
                case .answered(let pod, let result):
                    if let next = await accept(result, from: pod, replacing: schema) {
                        schema = next
                        action = state.fetchSucceeded(now: .now)
                    } else {
                        action = state.fetchFailed(now: .now)
                    }
                }
                switch action {
                case .fetch(let pod):
                    let eventLoop = self.eventLoop
                    group.addTask {
                        let result: Result<ReflectedDescriptors, ReflectionError>
                        do throws(ReflectionError) {
                            result = .success(
                                try await client.fetchDescriptors(host: pod.host, port: pod.port, eventLoop: eventLoop))
                        } catch {
                            result = .failure(error)
                        }
                        continuation.yield(.answered(pod, result))
                    }
                case .armTimer(let instant):
                    timer?.cancel()
                    timer = Task {
                        try? await Task.sleep(until: instant, clock: .continuous)
                        if !Task.isCancelled { continuation.yield(.timerFired) }
                    }
                case .idle:
                    break
                }
            }
            timer?.cancel()
            group.cancelAll()
        }
    }

    /// Checks an answer and, when it brings a new usable schema, installs it.
    ///
    /// - Returns: The schema in force after the answer; nil when the answer failed or could not be used.
    private func accept(
        _ result: Result<ReflectedDescriptors, ReflectionError>, from pod: EndpointAddress, replacing schema: ReflectedSchema?
    ) async -> ReflectedSchema? {
        let answer: ReflectedDescriptors
        switch result {
        case .success(let descriptors):
            answer = descriptors
        case .failure(let error):
            return refuse("\(error)", pod: pod)
        }
        let set = answer.fileDescriptorSet
        if let schema, schema.descriptorSet == set {
            backend.metrics.recordSchemaFetch(.unchanged)
            return schema
        }
        let source = "reflection of \(pod)"
        let made: (ReflectedSchema, BackendAPI)
        do {
            made = try Self.compile(
                set, services: answer.services, pod: pod, version: (schema?.version ?? 0) + 1, backend: backend,
                config: config, metrics: metrics, types: types, descriptorFiles: descriptorFiles)
        } catch {
            return refuse("\(source): \(error)", pod: pod)
        }
        await install(made.0, made.1)
        backend.metrics.recordSchemaFetch(.updated)
        logger.info(
            "schema updated from reflection",
            metadata: [
                "backend": "\(backend.name)", "pod": "\(pod)", "version": "\(made.0.version)",
                "services": "\(made.1.services.map(\.fullName).joined(separator: ","))",
                "routes": "\(made.1.routes.count)",
            ])
        return made.0
    }

    private func refuse(_ reason: String, pod: EndpointAddress) -> ReflectedSchema? {
        backend.metrics.recordSchemaFetch(.failed)
        logger.warning(
            "reflection failed; the last good schema stays",
            metadata: ["backend": "\(backend.name)", "pod": "\(pod)", "error": "\(reason)"])
        return nil
    }

    /// Compiles a reflected descriptor set and builds its routes, as the runtime will serve them.
    private static func compile(
        _ set: [UInt8], services: [String], pod: EndpointAddress, version: Int, backend: BackendRuntime,
        config: GatewayConfig, metrics: GatewayMetrics, types: TypeDirectory, descriptorFiles: DescriptorFileStore
    ) throws -> (ReflectedSchema, BackendAPI) {
        let pool = try DescriptorPool(descriptorSets: [(source: "reflection of \(pod)", bytes: set)], types: types)
        let schema = ReflectedSchema(
            pool: pool, descriptorSet: set, services: services, pod: pod.description, version: version)
        let options = TranscodingOptions(
            json: backend.config.json ?? config.json, maxDepth: config.limits.maxJSONDepth)
        let api = try BackendAPI(
            backend: backend, source: .reflection(version: version, pod: pod.description), pool: pool,
            descriptors: descriptorFiles.descriptors(ofSets: [set]), options: options, key: "backend \(backend.name)", metrics: metrics)
        return (schema, api)
    }
}
