import Discovery
import Logging

/// Turns the Services `kubernetes.discover` finds into the gateway's discovered backends: each set the
/// Kubernetes feed yields replaces the one before, through `RuntimeUpdates`.
struct ExposedServicesFeed: Sendable {
    /// Which Services, and their backends' reflection settings.
    let settings: GatewayConfig.ExposedServices
    /// Where the backends go.
    let updates: RuntimeUpdates
    let logger: Logger

    /// Serves each set of exposed Services as the discovered backends, until cancelled. A Service that cannot
    /// be served (no gRPC port) and an annotation that cannot be used are logged once per change.
    func run(kubernetes: KubernetesDiscovery) async {
        var served: [String: ExposedService] = [:]
        var refused: [String: ExposedService] = [:]
        for await services in kubernetes.exposedServices(in: settings.scope, selector: settings.selector) {
            var backends: [GatewayConfig.Backend] = []
            var replaced: Set<String> = []
            var serving: [String: ExposedService] = [:]
            var refusing: [String: ExposedService] = [:]
            for service in services {
                let name = service.backendName
                let changed = served[name] != service && refused[name] != service
                let discovered: DiscoveredBackend
                do {
                    discovered = try DiscoveredBackend(service, settings: settings)
                } catch {
                    if changed {
                        logger.warning(
                            "exposed Service not served", metadata: ["service": "\(name)", "error": "\(error)"])
                    }
                    refusing[name] = service
                    continue
                }
                if changed {
                    for problem in discovered.ignoredAnnotations {
                        logger.warning(
                            "annotation ignored", metadata: ["backend": "\(name)", "annotation": "\(problem)"])
                    }
                    logger.info(
                        served[name] == nil ? "exposed Service found: serving it" : "exposed Service changed",
                        metadata: [
                            "backend": "\(name)", "service": "\(discovered.config.kubernetes.map { "\($0)" } ?? "")",
                        ])
                }
                if served[name] != nil && served[name] != service { replaced.insert(name) }
                serving[name] = service
                backends.append(discovered.config)
            }
            for name in served.keys where serving[name] == nil {
                logger.info(
                    "exposed Service gone: its backend and routes are removed", metadata: ["backend": "\(name)"])
            }
            served = serving
            refused = refusing
            await updates.discoveredBackendsChanged(backends, replaced: replaced)
        }
    }
}
