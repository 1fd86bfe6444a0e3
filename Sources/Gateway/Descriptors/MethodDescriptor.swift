/// A gRPC method with compiled request and response schemas and its HTTP bindings.
package struct MethodDescriptor: Sendable {
    /// The method's simple name, e.g. `GetBook`.
    package var name: String
    /// `pkg.Service.Method`.
    package var fullName: String
    /// The HTTP/2 `:path` of the gRPC call, `/pkg.Service/Method`.
    package var grpcPath: String
    /// The fully qualified name of the method's service, `pkg.Service`.
    package var serviceName: String { String(grpcPath.dropFirst().prefix { $0 != "/" }) }
    /// The request message type.
    package var input: MessageSchema
    /// The response message type.
    package var output: MessageSchema
    /// Whether the client sends a stream of messages.
    package var isClientStreaming: Bool
    /// Whether the server sends a stream of messages.
    package var isServerStreaming: Bool
    /// The `google.api.http` rule followed by its `additional_bindings`; empty when the method has no rule.
    package var httpBindings: [HTTPBinding]
    /// The comments of the descriptor sets the method came from (its own, its service's, its messages'), for
    /// documentation; empty unless they carry source info.
    package var comments = DescriptorComments()

    package init(
        name: String,
        fullName: String,
        grpcPath: String,
        input: MessageSchema,
        output: MessageSchema,
        isClientStreaming: Bool,
        isServerStreaming: Bool,
        httpBindings: [HTTPBinding]
    ) {
        self.name = name
        self.fullName = fullName
        self.grpcPath = grpcPath
        self.input = input
        self.output = output
        self.isClientStreaming = isClientStreaming
        self.isServerStreaming = isServerStreaming
        self.httpBindings = httpBindings
    }
}
