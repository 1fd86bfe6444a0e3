/// A Kubernetes API object as decoded from JSON: only the fields discovery reads.
protocol KubernetesObject: Decodable, Sendable {
    /// The object's metadata.
    var metadata: ObjectMeta { get }
}

/// The metadata every object carries (the fields discovery reads).
struct ObjectMeta: Decodable, Sendable, Hashable {
    /// The object's name.
    var name: String?
    /// The object's namespace.
    var namespace: String?
    /// The version of the object, opaque; watches resume from it.
    var resourceVersion: String?
    /// The object's annotations.
    var annotations: [String: String]?
    /// The object's labels (an EndpointSlice names its Service in `kubernetes.io/service-name`).
    var labels: [String: String]?

    /// Creates metadata.
    init(
        name: String? = nil, namespace: String? = nil, resourceVersion: String? = nil,
        annotations: [String: String]? = nil, labels: [String: String]? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.resourceVersion = resourceVersion
        self.annotations = annotations
        self.labels = labels
    }
}

/// A reference to another object, such as the pod behind an endpoint.
struct ObjectReference: Decodable, Sendable, Hashable {
    /// The referenced object's kind, e.g. `Pod`.
    var kind: String?
    /// The referenced object's name.
    var name: String?
}
