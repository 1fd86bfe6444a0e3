/// What a route of the shared table leads to: one method of one backend, and how to transcode it.
package struct RouteTarget: Sendable, CustomStringConvertible {
    /// The backend serving the method.
    package let backend: BackendRuntime
    /// The gRPC method.
    package let method: MethodDescriptor
    /// The HTTP rule the route came from; nil for the `POST /package.Service/Method` route of an
    /// unannotated method.
    package let binding: HTTPBinding?
    /// Builds the request message.
    package let requestTranscoder: RequestTranscoder
    /// Writes the reply as JSON.
    package let responseTranscoder: ResponseTranscoder
    /// The route's HTTP series, and through them its method's gRPC series.
    package let metrics: RouteMetrics

    package var description: String { "\(method.fullName) (backend \(backend.name))" }
}
