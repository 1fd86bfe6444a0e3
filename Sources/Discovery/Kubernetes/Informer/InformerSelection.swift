/// The objects of a watched collection a subscriber of a `SharedInformer` receives.
enum InformerSelection: Hashable, Sendable {
    /// The objects of one Service: its EndpointSlices, its Endpoints, or the Service itself.
    case service(ObjectKey)
    /// Every object of the collection: e.g. every Service of a namespace or of the cluster, for discovery
    /// that finds its Services by annotation rather than by name.
    case all
}
