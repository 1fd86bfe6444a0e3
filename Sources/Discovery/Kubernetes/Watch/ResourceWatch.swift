import Foundation
import Logging

/// Lists one collection, then watches it from the list's resource version for as long as the task runs.
///
/// - A watch that ends (the server's timeout, a dropped connection) or stays silent for
///   `watchIdleTimeout` is resumed from the last resource version seen, bookmarks included: no relist.
/// - 410 Gone, as an HTTP status or as an ERROR event, relists, and the list replaces the state.
/// - Failures back off exponentially with jitter; nothing is cleared while the server is unreachable.
/// - A malformed event is logged and skipped; the watch goes on.
struct ResourceWatch<Object: KubernetesObject>: Sendable {
    /// The collection's path, e.g. `/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices`.
    var path: String
    /// The selectors narrowing the collection, as query items, e.g. `("labelSelector",
    /// "kubernetes.io/service-name")`; none for the whole collection.
    var selectors: [(String, String)]
    var client: KubernetesClient
    var config: KubernetesConfig
    var logger: Logger

    /// Creates a watch loop.
    init(
        path: String, selectors: [(String, String)], client: KubernetesClient, config: KubernetesConfig,
        logger: Logger
    ) {
        self.path = path
        self.selectors = selectors
        self.client = client
        self.config = config
        self.logger = logger
    }

    private enum Outcome {
        /// The watch ended normally (or broke after being healthy); resume from this version.
        case ended(resourceVersion: String, healthy: Bool, error: KubernetesError?)
        /// The version expired: list again.
        case gone
        /// The task was cancelled.
        case cancelled
    }

    /// Runs until the task is cancelled, handing every change to `apply` (on the task's executor, one at a
    /// time, in the order of the stream).
    func run(_ apply: @Sendable (WatchAction<Object>) -> Void) async {
        var generator = SystemRandomNumberGenerator()
        var backoff = BackoffState(config.backoff)
        var resourceVersion: String?
        while !Task.isCancelled {
            guard let version = resourceVersion else {
                do {
                    let list = try await client.list(
                        Object.self, path: path, query: selectors, logger: logger)
                    apply(.replace(list.items))
                    client.statistics.recordList()
                    resourceVersion = list.metadata.resourceVersion ?? ""
                    backoff.reset()
                    logger.debug("listed", metadata: ["path": "\(path)", "items": "\(list.items.count)"])
                } catch {
                    logger.warning("list failed", metadata: ["path": "\(path)", "error": "\(error)"])
                    await pause(backoff.next(using: &generator))
                }
                continue
            }
            switch await watch(from: version, apply, using: &generator) {
            case .cancelled:
                return
            case .gone:
                logger.info("resource version expired, listing again", metadata: ["path": "\(path)"])
                client.statistics.recordRelist()
                resourceVersion = nil
            case .ended(let last, let healthy, let error):
                client.statistics.recordWatchRestart()
                resourceVersion = last
                if healthy { backoff.reset() }
                if let error {
                    logger.warning("watch failed", metadata: ["path": "\(path)", "error": "\(error)"])
                }
                if error != nil || !healthy { await pause(backoff.next(using: &generator)) }
            }
        }
    }

    private func pause(_ delay: Duration) async {
        try? await Task.sleep(for: delay)
    }

    private func watch(
        from version: String, _ apply: @Sendable (WatchAction<Object>) -> Void,
        using generator: inout some RandomNumberGenerator
    ) async -> Outcome {
        let timeoutSeconds = Int.random(
            in: config.watchTimeout.wholeSeconds...max(1, 2 * config.watchTimeout.wholeSeconds), using: &generator)
        let query =
            selectors + [
                ("watch", "1"), ("resourceVersion", version), ("allowWatchBookmarks", "true"),
                ("timeoutSeconds", String(timeoutSeconds)),
            ]
        let started = ContinuousClock.now
        var last = version
        var events = 0
        var healthy: Bool { events > 0 || ContinuousClock.now - started > .seconds(1) }
        var response: KubernetesResponse
        do {
            response = try await client.watch(path: path, query: query, timeout: .seconds(timeoutSeconds + 30))
        } catch {
            return Task.isCancelled ? .cancelled : .ended(resourceVersion: last, healthy: false, error: error)
        }
        guard response.status == 200 else {
            let error = client.failure(status: response.status, body: (try? await response.body()) ?? [], path: path)
            return error.code == .gone ? .gone : .ended(resourceVersion: last, healthy: false, error: error)
        }
        client.statistics.recordWatchOpened()
        defer { client.statistics.recordWatchClosed() }
        let decoder = JSONDecoder()
        var framer = JSONLineFramer()
        do {
            while let bytes = try await response.next() {
                framer.append(bytes)
                while let line = framer.next() {
                    let event: WatchEvent<Object>
                    do {
                        event = try decoder.decode(WatchEvent<Object>.self, from: Data(line))
                    } catch {
                        logger.warning(
                            "malformed watch event ignored",
                            metadata: ["path": "\(path)", "error": "\(error)", "event": "\(Self.excerpt(line))"])
                        continue
                    }
                    events += 1
                    switch event {
                    case .added(let object), .modified(let object):
                        client.statistics.recordEvent()
                        apply(.upsert(object))
                        last = object.metadata.resourceVersion ?? last
                    case .deleted(let object):
                        client.statistics.recordEvent()
                        apply(.delete(object))
                        last = object.metadata.resourceVersion ?? last
                    case .bookmark(let resourceVersion):
                        last = resourceVersion ?? last
                    case .error(let status) where status.code == 410:
                        return .gone
                    case .error(let status):
                        let error = KubernetesError(
                            code: .httpStatus, message: "\(path): \(status.message ?? "watch error")",
                            httpStatus: status.code)
                        return .ended(resourceVersion: last, healthy: healthy, error: error)
                    }
                }
            }
        } catch {
            if Task.isCancelled { return .cancelled }
            return .ended(resourceVersion: last, healthy: healthy, error: error)
        }
        if Task.isCancelled { return .cancelled }
        return .ended(resourceVersion: last, healthy: healthy, error: nil)
    }

    private static func excerpt(_ line: ArraySlice<UInt8>) -> String {
        String(decoding: line.prefix(200), as: UTF8.self)
    }
}

extension Duration {
    /// Whole seconds, at least 1.
    var wholeSeconds: Int { max(1, Int(components.seconds)) }
}
