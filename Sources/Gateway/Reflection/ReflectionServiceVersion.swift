/// A version of the gRPC server reflection service; both have the same messages and differ in their name.
package enum ReflectionServiceVersion: Hashable, Sendable, CaseIterable {
    /// `grpc.reflection.v1`, the stable one, asked first.
    case v1
    /// `grpc.reflection.v1alpha`, what older servers (and grpcio's Python package) serve.
    case v1alpha

    /// The version whose service has this full name, e.g. `grpc.reflection.v1.ServerReflection`.
    package init?(serviceName: some StringProtocol) {
        guard let version = Self.allCases.first(where: { $0.serviceName == serviceName }) else { return nil }
        self = version
    }

    /// The service's full name, `grpc.reflection.v1.ServerReflection`.
    package var serviceName: String {
        switch self {
        case .v1: "grpc.reflection.v1.ServerReflection"
        case .v1alpha: "grpc.reflection.v1alpha.ServerReflection"
        }
    }

    /// The `:path` of the version's bidirectional `ServerReflectionInfo` method.
    package var methodPath: String {
        "/\(serviceName)/ServerReflectionInfo"
    }
}
