/// A version of the gRPC server reflection service; both have the same messages and differ in their name.
package enum ReflectionServiceVersion: Hashable, Sendable, CaseIterable {
    /// `grpc.reflection.v1`, the stable one, asked first.
    case v1
    /// `grpc.reflection.v1alpha`, what older servers (and grpcio's Python package) serve.
    case v1alpha

    /// The `:path` of the version's bidirectional `ServerReflectionInfo` method.
    package var methodPath: String {
        switch self {
        case .v1: "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"
        case .v1alpha: "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"
        }
    }
}
