/// A change to a watched collection, as the watch loop hands it on.
enum WatchAction<Object: KubernetesObject>: Sendable {
    /// A fresh list: these objects are all there is; any other object known before is gone.
    case replace([Object])
    /// The object was added or changed.
    case upsert(Object)
    /// The object was deleted.
    case delete(Object)
}

extension WatchAction: Equatable where Object: Equatable {}
