import Synchronization

/// One `exposedServices` feed's view of the shared Service watches: receives the changes of every Service
/// of its collections and publishes the set of exposed Services whenever it changes, once every collection
/// has been listed.
final class ExposedServicesSubscriber: Sendable {
    private struct Progress: Sendable {
        var state: ExposedServicesState
        var published: [ExposedService]?
    }

    private let progress: Mutex<Progress>
    private let publish: @Sendable ([ExposedService]) -> Void
    private let onSynced: @Sendable () -> Void

    /// Creates a subscriber; `publish` receives each new set, `onSynced` is called once after the first.
    init(
        collections: Set<WatchedCollection>, namespaces: Set<String>?,
        publish: @escaping @Sendable ([ExposedService]) -> Void, onSynced: @escaping @Sendable () -> Void
    ) {
        self.progress = Mutex(
            Progress(state: ExposedServicesState(collections: collections, namespaces: namespaces)))
        self.publish = publish
        self.onSynced = onSynced
    }

    /// A change to the Services of `collection`; a `replace` is a complete list. Publishing happens under
    /// the lock so that two watches delivering at once cannot publish out of order (`publish` only yields
    /// to an AsyncStream, which never calls back into this type).
    func receive(_ action: WatchAction<Service>, from collection: WatchedCollection) {
        let first = progress.withLock { progress in
            progress.state.apply(action, from: collection)
            guard let current = progress.state.current, current != progress.published else { return false }
            let first = progress.published == nil
            progress.published = current
            publish(current)
            return first
        }
        if first { onSynced() }
    }
}
