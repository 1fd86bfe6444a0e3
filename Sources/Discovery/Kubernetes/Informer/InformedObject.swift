/// An object kind a `SharedInformer` watches: where its collections live, which selector narrows them to
/// the objects discovery needs, and which Service each object belongs to.
protocol InformedObject: KubernetesObject {
    /// The API group and version prefix, e.g. `/apis/discovery.k8s.io/v1`.
    static var apiPrefix: String { get }
    /// The resource's plural name, e.g. `endpointslices`.
    static var resource: String { get }
    /// The selector every list and watch of the kind carries, if any.
    static var selector: (String, String)? { get }
    /// The name of the Service the object belongs to (in the object's namespace); nil when it names none.
    var serviceName: String? { get }
}

extension EndpointSlice: InformedObject {
    static var apiPrefix: String { "/apis/discovery.k8s.io/v1" }
    static var resource: String { "endpointslices" }
    /// Every slice that belongs to a Service (the label's existence), so that the one watch of a namespace
    /// carries the slices of all its Services and none of the slices that other controllers make.
    static var selector: (String, String)? { ("labelSelector", serviceNameLabel) }
    /// The label by which the EndpointSlice controller names a slice's Service.
    static var serviceNameLabel: String { "kubernetes.io/service-name" }
    var serviceName: String? { metadata.labels?[Self.serviceNameLabel] }
}

extension Endpoints: InformedObject {
    static var apiPrefix: String { "/api/v1" }
    static var resource: String { "endpoints" }
    static var selector: (String, String)? { nil }
    /// A Service's Endpoints object has the Service's name.
    var serviceName: String? { metadata.name }
}

extension Service: InformedObject {
    static var apiPrefix: String { "/api/v1" }
    static var resource: String { "services" }
    static var selector: (String, String)? { nil }
    var serviceName: String? { metadata.name }
}
