/// A gRPC service found in the loaded descriptors.
package struct ServiceDescriptor: Sendable {
    /// The fully qualified name, e.g. `pkg.Library`.
    package var fullName: String
    /// The methods in declaration order.
    package var methods: [MethodDescriptor]

    package init(fullName: String, methods: [MethodDescriptor]) {
        self.fullName = fullName
        self.methods = methods
    }
}
