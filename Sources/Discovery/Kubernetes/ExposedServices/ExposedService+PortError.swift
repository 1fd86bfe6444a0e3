extension ExposedService {
    /// Why an exposed Service's gRPC port cannot be resolved (`ExposedService.grpcPort()`): the gateway
    /// logs it and leaves the Service unserved until its annotations or ports change.
    public struct PortError: Error, Hashable, Sendable, CustomStringConvertible {
        /// What is wrong; new codes may be added.
        public struct Code: Hashable, Sendable, CustomStringConvertible {
            private let name: String
            private init(_ name: String) { self.name = name }

            /// `portico.io/port` is empty, or a number outside 1…65535.
            public static let invalidAnnotation = Code("invalidAnnotation")
            /// `portico.io/port` names a port (by name or number) that the Service does not have.
            public static let noSuchPort = Code("noSuchPort")
            /// Without `portico.io/port`, the Service has no port named `grpc` and not exactly one port.
            public static let noDefaultPort = Code("noDefaultPort")

            public var description: String { name }
        }

        /// What is wrong.
        public var code: Code
        /// The backend name of the Service, `namespace/name`.
        public var service: String
        /// The value of `portico.io/port`; nil when the Service has none.
        public var value: String?
        /// The Service's TCP ports.
        public var ports: [Port]

        /// Creates an error.
        public init(code: Code, service: String, value: String?, ports: [Port]) {
            self.code = code
            self.service = service
            self.value = value
            self.ports = ports
        }

        public var description: String {
            let available = ports.isEmpty ? "none" : ports.map(\.description).joined(separator: ", ")
            let problem: String
            switch code {
            case .invalidAnnotation: problem = "not a port name or a port number from 1 to 65535"
            case .noSuchPort: problem = "the Service has no such port"
            default: problem = "no port named \(defaultPortName), and not exactly one port to default to"
            }
            let annotation = value.map { "\(portAnnotation) \"\($0)\": " } ?? ""
            return "\(service): \(annotation)\(problem) (TCP ports: \(available))"
        }
    }
}
