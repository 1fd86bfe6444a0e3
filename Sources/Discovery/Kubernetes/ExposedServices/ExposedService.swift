/// A Kubernetes Service that asks to be served by Portico: one carrying the annotation
/// `portico.io/expose: "true"`, found by `KubernetesDiscovery.exposedServices(in:selector:)`.
///
/// It becomes the backend `backendName` (`namespace/name`), whose pods come from the Service's
/// EndpointSlices as for any backend (`KubernetesDiscovery.watch(_:backend:)` with `serviceRef()`), at the
/// port `grpcPort()` resolves, with the settings of its `portico.io/…` annotations.
public struct ExposedService: Hashable, Sendable, CustomStringConvertible {
    /// The annotation that exposes a Service. Only the exact value `"true"` exposes it: the check is
    /// case-sensitive, so `"True"`, `"yes"` or `"1"` do not, and neither does a missing value.
    public static let exposeAnnotation = "portico.io/expose"
    /// The annotation choosing the Service port the gateway talks gRPC to: a port's name (`grpc-api`) or
    /// its number (`50051`, the Service's `port`, not the pods' `targetPort`). Default: the port named
    /// `grpc`, else the Service's only port.
    public static let portAnnotation = "portico.io/port"
    /// The name of the port used when `portAnnotation` is absent.
    public static let defaultPortName = "grpc"

    /// One TCP port of the Service.
    public struct Port: Hashable, Sendable, CustomStringConvertible {
        /// The port's name; nil for the unnamed only port of a Service.
        public var name: String?
        /// The port clients of the Service use (`spec.ports[].port`).
        public var port: Int

        /// Creates a port.
        public init(name: String?, port: Int) {
            self.name = name
            self.port = port
        }

        public var description: String { name.map { "\($0) \(port)" } ?? String(port) }
    }

    /// The Service's namespace.
    public var namespace: String
    /// The Service's name.
    public var name: String
    /// The Service's TCP ports, in the Service's order (UDP and SCTP ports cannot carry gRPC and are left
    /// out).
    public var ports: [Port]
    /// The Service's `portico.io/…` annotations, `exposeAnnotation` and `portAnnotation` included.
    public var settings: BackendSettings

    /// Creates an exposed Service.
    public init(namespace: String, name: String, ports: [Port], settings: BackendSettings) {
        self.namespace = namespace
        self.name = name
        self.ports = ports
        self.settings = settings
    }

    /// The name of the backend the Service becomes: `namespace/name`.
    public var backendName: String { "\(namespace)/\(name)" }

    public var description: String { backendName }

    /// The port the gateway talks gRPC to:
    /// - `portico.io/port` given as a number: the Service port with that number (`spec.ports[].port`);
    /// - `portico.io/port` given as a name: the Service port with that name;
    /// - no `portico.io/port`: the port named `grpc`, else the Service's only TCP port when it has exactly
    ///   one (a Service's only port is often unnamed, and the `expose` annotation already says the Service
    ///   speaks gRPC), else none.
    /// - Returns: the port.
    /// - Throws: `PortError` when the annotation is unusable or names no port of the Service, or when no
    ///   port can be chosen without one; the Service should then not be served (the error says why, for
    ///   the log).
    public func grpcPort() throws(PortError) -> Port {
        guard let value = settings.annotations[Self.portAnnotation] else {
            if let port = ports.first(where: { $0.name == Self.defaultPortName }) { return port }
            if ports.count == 1 { return ports[0] }
            throw PortError(code: .noDefaultPort, service: backendName, value: nil, ports: ports)
        }
        guard !value.isEmpty else {
            throw PortError(code: .invalidAnnotation, service: backendName, value: value, ports: ports)
        }
        if value.allSatisfy(\.isASCIIDigit) {
            guard let number = Int(value), (1...65_535).contains(number) else {
                throw PortError(code: .invalidAnnotation, service: backendName, value: value, ports: ports)
            }
            guard let port = ports.first(where: { $0.port == number }) else {
                throw PortError(code: .noSuchPort, service: backendName, value: value, ports: ports)
            }
            return port
        }
        guard let port = ports.first(where: { $0.name == value }) else {
            throw PortError(code: .noSuchPort, service: backendName, value: value, ports: ports)
        }
        return port
    }

    /// The reference by which the backend follows the Service's endpoints: its namespace and name, and the
    /// port `grpcPort()` resolves (by name, or by number for an unnamed port).
    /// - Returns: the reference for `KubernetesDiscovery.watch(_:backend:)`.
    /// - Throws: `PortError` as `grpcPort()` does.
    public func serviceRef() throws(PortError) -> KubernetesServiceRef {
        let port = try grpcPort()
        return KubernetesServiceRef(
            service: name, namespace: namespace, port: port.name.map { .name($0) } ?? .number(port.port))
    }
}

extension ExposedService {
    /// The Service as exposed, or nil when it does not carry `portico.io/expose: "true"`.
    /// - Parameters:
    ///   - service: the Service.
    ///   - namespace: the namespace of a Service that names none (that of the watch it came from).
    init?(_ service: Service, namespace: String?) {
        let annotations = service.metadata.annotations ?? [:]
        guard annotations[Self.exposeAnnotation] == "true", let name = service.metadata.name else { return nil }
        self.init(
            namespace: service.metadata.namespace ?? namespace ?? "", name: name,
            ports: (service.spec?.ports ?? []).filter { ($0.protocol ?? "TCP") == "TCP" }.map {
                Port(name: $0.name?.isEmpty == true ? nil : $0.name, port: $0.port)
            },
            settings: BackendSettings(annotations: annotations))
    }
}

extension Character {
    /// Whether the character is one of `0`…`9`.
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
