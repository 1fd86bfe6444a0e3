import PorticoTestSupport
import Testing

/// The gRPC interop matrix against grpc-go echo backends, through a real `portico` (one backend and one
/// gateway for the whole suite). The cases are in `InteropMatrix`.
@Suite("gRPC interop: grpc-go behind portico", .interop(.go))
struct GoInteropTests {
    @Test("JSON unary: the message goes up and comes back", arguments: CurlClient.HTTPVersion.allCases, InteropSize.all)
    func jsonUnary(version: CurlClient.HTTPVersion, size: InteropSize) async throws {
        try await InteropMatrix.jsonUnary(version, size)
    }

    @Test("JSON unary: the message goes up, an error comes back", arguments: CurlClient.HTTPVersion.allCases, InteropSize.all)
    func jsonRequestOnly(version: CurlClient.HTTPVersion, size: InteropSize) async throws {
        try await InteropMatrix.jsonRequestOnly(version, size)
    }

    @Test("JSON server-streaming: the message goes up and comes back twice", arguments: CurlClient.HTTPVersion.allCases, InteropSize.all)
    func jsonServerStreaming(version: CurlClient.HTTPVersion, size: InteropSize) async throws {
        try await InteropMatrix.jsonServerStreaming(version, size)
    }

    @Test("JSON: request metadata, response headers and trailers", arguments: CurlClient.HTTPVersion.allCases)
    func jsonMetadata(version: CurlClient.HTTPVersion) async throws {
        try await InteropMatrix.jsonMetadata(version)
    }

    @Test("JSON: a Grpc-Timeout shorter than the delay is 504 DEADLINE_EXCEEDED", arguments: CurlClient.HTTPVersion.allCases)
    func jsonDeadline(version: CurlClient.HTTPVersion) async throws {
        try await InteropMatrix.jsonDeadline(version)
    }

    @Test("native gRPC: every call kind carries every size both ways", arguments: CallKind.allCases, InteropSize.all)
    func grpcSizes(kind: CallKind, size: InteropSize) async throws {
        try await InteropMatrix.grpcSizes(kind, size)
    }

    @Test("native gRPC: request metadata, response headers and trailers", arguments: CallKind.allCases)
    func grpcMetadata(kind: CallKind) async throws {
        try await InteropMatrix.grpcMetadata(kind)
    }

    @Test("native gRPC: a deadline shorter than the delay is DEADLINE_EXCEEDED", arguments: CallKind.allCases)
    func grpcDeadline(kind: CallKind) async throws {
        try await InteropMatrix.grpcDeadline(kind)
    }
}
