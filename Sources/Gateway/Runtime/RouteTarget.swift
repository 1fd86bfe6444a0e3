/// What a route of the shared table leads to: one method of one backend, and how to transcode it.
///
/// A class, so that the route table's array holds a pointer per route rather than this whole record (a
/// thousand services' table grew and copied megabytes of it while being built).
package final class RouteTarget: Sendable, CustomStringConvertible {
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

    package init(
        backend: BackendRuntime, method: MethodDescriptor, binding: HTTPBinding?, requestTranscoder: RequestTranscoder,
        responseTranscoder: ResponseTranscoder, metrics: RouteMetrics
    ) {
        self.backend = backend
        self.method = method
        self.binding = binding
        self.requestTranscoder = requestTranscoder
        self.responseTranscoder = responseTranscoder
        self.metrics = metrics
    }

    package var description: String { "\(method.fullName) (backend \(backend.name))" }
}
