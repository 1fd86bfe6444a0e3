import Balancer
import Discovery
import Foundation

/// The backend an exposed Service asks for: named `namespace/service`, its pods the Service's, its schema
/// from reflection, its settings from the Service's `portico.io/…` annotations.
struct DiscoveredBackend {
    /// `portico.io/timeout`: the deadline of a call without `Grpc-Timeout`, written as a config duration.
    static let timeoutAnnotation = "portico.io/timeout"
    /// `portico.io/retryOn`: comma-separated retry conditions, as `balancing.retryOn` (`unavailable`).
    static let retryOnAnnotation = "portico.io/retryOn"

    /// The backend's settings.
    let config: GatewayConfig.Backend
    /// Annotations that could not be used, each with why; the setting keeps its default.
    let ignoredAnnotations: [String]

    /// Reads an exposed Service. `portico.io/balancer` is applied from the endpoint snapshots, as for any
    /// backend following a Service.
    ///
    /// - Throws: `ExposedService.PortError` when no gRPC port can be chosen: the Service cannot be served.
    init(_ service: ExposedService, settings: GatewayConfig.ExposedServices) throws(ExposedService.PortError) {
        var backend = GatewayConfig.Backend(
            name: service.backendName, descriptorFiles: [], kubernetes: try service.serviceRef(),
            reflection: settings.reflection)
        var ignored: [String] = []
        let annotations = service.settings.annotations
        if let text = annotations[Self.timeoutAnnotation] {
            if let timeout = ConfigNode.parseDuration(text[...]), timeout > .zero {
                backend.timeout = timeout
            } else {
                ignored.append("\(Self.timeoutAnnotation): \(text) is not a duration such as 5s or 250ms")
            }
        }
        if let text = annotations[Self.retryOnAnnotation] {
            let conditions = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            for condition in conditions where condition != "unavailable" && !condition.isEmpty {
                ignored.append("\(Self.retryOnAnnotation): unknown condition \(condition) (known: unavailable)")
            }
            backend.balancing.retryUnavailable = conditions.contains("unavailable")
        }
        if let text = service.settings.balancer, BalancingStrategy(rawValue: text) == nil {
            let known = BalancingStrategy.allCases.map(\.rawValue).joined(separator: ", ")
            ignored.append("\(BackendSettings.balancerAnnotation): unknown balancer \(text) (known: \(known))")
        }
        self.config = backend
        self.ignoredAnnotations = ignored
    }
}
