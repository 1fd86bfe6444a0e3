/// The exposed Services of the Service watches one `exposedServices` feed subscribes to, as a value: the
/// watches hand it their changes, and `current` is the complete set once every watch has listed.
///
/// Each watch's Services are kept apart, so a relist of one (after 410 Gone) replaces only what that watch
/// delivered. A Service is a member while it carries `portico.io/expose: "true"`; a change that removes
/// the annotation is its removal, as is its deletion.
struct ExposedServicesState: Sendable {
    /// The namespaces kept; nil keeps every namespace (a cluster-wide watch filtered locally otherwise).
    let namespaces: Set<String>?
    /// The watches that have not completed their first list.
    private var unlisted: Set<WatchedCollection>
    /// The exposed Services each watch delivered, by namespaced name.
    private var services: [WatchedCollection: [ObjectKey: ExposedService]] = [:]

    /// Creates a state that waits for the first list of each of `collections`.
    init(collections: Set<WatchedCollection>, namespaces: Set<String>?) {
        self.unlisted = collections
        self.namespaces = namespaces
    }

    /// Applies a change from the watch of `collection`; a `replace` is its complete list.
    mutating func apply(_ action: WatchAction<Service>, from collection: WatchedCollection) {
        switch action {
        case .replace(let all):
            unlisted.remove(collection)
            services[collection] = [:]
            for service in all { update(service, from: collection) }
        case .upsert(let service):
            update(service, from: collection)
        case .delete(let service):
            let key = key(of: service, in: collection)
            services[collection]?[key] = nil
        }
    }

    /// Every exposed Service, ordered by namespace and name; nil until every watch has listed.
    var current: [ExposedService]? {
        guard unlisted.isEmpty else { return nil }
        return services.values.flatMap { $0 }.sorted { $0.key < $1.key }.map(\.value)
    }

    private mutating func update(_ service: Service, from collection: WatchedCollection) {
        let key = key(of: service, in: collection)
        let kept = namespaces?.contains(key.namespace) ?? true
        services[collection, default: [:]][key] = kept ? ExposedService(service, namespace: key.namespace) : nil
    }

    private func key(of service: Service, in collection: WatchedCollection) -> ObjectKey {
        ObjectKey(
            namespace: service.metadata.namespace ?? collection.namespace ?? "", name: service.metadata.name ?? "")
    }
}
