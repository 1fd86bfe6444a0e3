/// What one shared watch covers: the objects of one namespace or of the whole cluster, all of them or only
/// those a label selector picks. A watch with a selector is a different watch from one without, so the
/// selector is part of the key the informers share watches by.
struct WatchedCollection: Hashable, Sendable, CustomStringConvertible {
    /// The namespace whose objects are watched; nil for every namespace's.
    var namespace: String?
    /// A label selector the API server narrows the collection with (`labelSelector`), e.g. `team=books`;
    /// nil for every object. It narrows the kind's own selector (`InformedObject.selector`) further.
    var labelSelector: String?

    /// Creates a collection; an empty selector is none.
    init(namespace: String?, labelSelector: String? = nil) {
        self.namespace = namespace
        self.labelSelector = labelSelector?.isEmpty == true ? nil : labelSelector
    }

    /// One namespace's objects.
    static func namespace(_ namespace: String) -> WatchedCollection { WatchedCollection(namespace: namespace) }

    /// Every namespace's objects.
    static let cluster = WatchedCollection(namespace: nil)

    /// The same objects, narrowed by a label selector (nil or empty: not narrowed).
    func selecting(_ labelSelector: String?) -> WatchedCollection {
        WatchedCollection(namespace: namespace, labelSelector: labelSelector)
    }

    /// The collection's path for a kind, e.g. `/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices`
    /// or, cluster-wide, `/apis/discovery.k8s.io/v1/endpointslices`.
    func path<Object: InformedObject>(of kind: Object.Type) -> String {
        if let namespace {
            "\(Object.apiPrefix)/namespaces/\(namespace)/\(Object.resource)"
        } else {
            "\(Object.apiPrefix)/\(Object.resource)"
        }
    }

    /// The selectors every list and watch of the collection carries for a kind, as query items: the kind's
    /// own (`InformedObject.selector`) and the collection's label selector, two label selectors joined with
    /// `,` (which the API server reads as "and").
    func selectors<Object: InformedObject>(of kind: Object.Type) -> [(String, String)] {
        switch (Object.selector, labelSelector) {
        case (nil, nil): []
        case (let own?, nil): [own]
        case (nil, let labels?): [("labelSelector", labels)]
        case (let own?, let labels?) where own.0 == "labelSelector": [("labelSelector", "\(own.1),\(labels)")]
        case (let own?, let labels?): [own, ("labelSelector", labels)]
        }
    }

    var description: String {
        let scope = namespace.map { "namespace \($0)" } ?? "cluster"
        return labelSelector.map { "\(scope) (\($0))" } ?? scope
    }
}
