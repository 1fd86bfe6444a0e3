/// The shared watches of one object kind as a value, after client-go's shared informers: which
/// collections (namespaces, or the cluster) are watched and for how many subscribers, the objects each
/// watch has delivered, filed by the Service they belong to, and which subscribers each change reaches.
///
/// - A collection's watch starts with its first subscriber (`OnSubscribe.startWatch`) and stops with its
///   last (`OnUnsubscribe.stopWatch`), which also drops what it cached. Each start has a new generation,
///   so that a change still arriving from a stopped watch is recognised and ignored.
/// - Until the collection's first list, new subscribers wait; the list reaches each of them as a
///   `replace` of its selection. After it, a new subscriber gets its selection from the cache at once.
/// - A change reaches the subscribers of the object's Service and those that select the whole collection,
///   nobody else. An object that moves to another Service is a delete for the old one's subscribers.
///
/// Pure state: `SharedInformer` runs the watches and hands the deliveries to its subscribers.
struct InformerState<Object: InformedObject>: Sendable {
    /// A subscriber, numbered in the order of subscription.
    struct SubscriberID: Hashable, Comparable, Sendable {
        let rawValue: Int

        static func < (lhs: SubscriberID, rhs: SubscriberID) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The objects of a collection a subscriber receives.
    typealias Selection = InformerSelection

    /// What the driver does after a subscription.
    enum OnSubscribe {
        /// The first subscriber of the collection: list and watch it, handing its changes back with
        /// `generation`.
        case startWatch(WatchedCollection, generation: Int)
        /// The collection is listed: hand the subscriber these objects, all it selects.
        case deliver(WatchAction<Object>)
        /// The collection's first list is still under way; the subscriber receives it when it arrives.
        case awaitList
    }

    /// What the driver does after an unsubscription.
    enum OnUnsubscribe: Hashable, Sendable {
        /// That was the collection's last subscriber: stop its watch.
        case stopWatch(WatchedCollection)
        /// Nothing: the collection still has subscribers (or the subscriber was unknown).
        case none
    }

    /// A change for one subscriber.
    struct Delivery {
        /// Who receives it.
        var subscriber: SubscriberID
        /// The change, narrowed to what the subscriber selects.
        var action: WatchAction<Object>
    }

    private var caches: [WatchedCollection: Cache] = [:]
    private var subscriptions: [SubscriberID: (collection: WatchedCollection, selection: Selection)] = [:]
    private var lastID = 0
    private var lastGeneration = 0

    /// Creates a state with no subscriber and no watch.
    init() {}

    /// The collections being watched: those with at least one subscriber.
    var watchedCollections: Set<WatchedCollection> { Set(caches.keys) }

    /// Whether the collection's watch has completed its first list.
    func isListed(_ collection: WatchedCollection) -> Bool { caches[collection]?.listed ?? false }

    /// Adds a subscriber to a collection.
    /// - Returns: the subscriber's id and what the driver does next.
    mutating func subscribe(
        to collection: WatchedCollection, selecting selection: Selection
    ) -> (SubscriberID, OnSubscribe) {
        lastID += 1
        let id = SubscriberID(rawValue: lastID)
        subscriptions[id] = (collection, selection)
        guard caches[collection] != nil else {
            lastGeneration += 1
            var cache = Cache(generation: lastGeneration, namespace: collection.namespace)
            cache.add(id, selection)
            caches[collection] = cache
            return (id, .startWatch(collection, generation: lastGeneration))
        }
        caches[collection]?.add(id, selection)
        guard let cache = caches[collection], cache.listed else { return (id, .awaitList) }
        return (id, .deliver(.replace(cache.objects(selectedBy: selection))))
    }

    /// Removes a subscriber; it receives nothing more.
    mutating func unsubscribe(_ id: SubscriberID) -> OnUnsubscribe {
        guard let subscription = subscriptions.removeValue(forKey: id) else { return .none }
        let collection = subscription.collection
        caches[collection]?.remove(id, subscription.selection)
        guard caches[collection]?.subscriberCount == 0 else { return .none }
        caches[collection] = nil
        return .stopWatch(collection)
    }

    /// Applies a change from the watch of `collection` started as `generation` to the cache.
    /// - Returns: the change for each subscriber it concerns, in the order of subscription; nothing when the
    ///   watch has been stopped since.
    mutating func receive(
        _ action: WatchAction<Object>, from collection: WatchedCollection, generation: Int
    ) -> [Delivery] {
        guard caches[collection]?.generation == generation else { return [] }
        return caches[collection]?.apply(action) ?? []
    }
}

extension InformerState {
    /// One watched collection: its subscribers and what its watch has delivered.
    fileprivate struct Cache: Sendable {
        let generation: Int
        /// The namespace of a namespace's collection, for objects that do not name theirs.
        let namespace: String?
        var listed = false
        var subscriberCount = 0
        var subscribersByService: [ObjectKey: Set<SubscriberID>] = [:]
        var subscribersOfAll: Set<SubscriberID> = []
        /// The objects, by the Service they belong to, then by their own key.
        var objectsByService: [ObjectKey: [ObjectKey: Object]] = [:]
        /// The Service of each object.
        var services: [ObjectKey: ObjectKey] = [:]

        init(generation: Int, namespace: String?) {
            self.generation = generation
            self.namespace = namespace
        }

        mutating func add(_ id: SubscriberID, _ selection: Selection) {
            subscriberCount += 1
            switch selection {
            case .service(let service): subscribersByService[service, default: []].insert(id)
            case .all: subscribersOfAll.insert(id)
            }
        }

        mutating func remove(_ id: SubscriberID, _ selection: Selection) {
            subscriberCount -= 1
            switch selection {
            case .service(let service):
                subscribersByService[service]?.remove(id)
                if subscribersByService[service]?.isEmpty == true { subscribersByService[service] = nil }
            case .all:
                subscribersOfAll.remove(id)
            }
        }

        /// The objects a selection covers, ordered by key.
        func objects(selectedBy selection: Selection) -> [Object] {
            let selected: [(key: ObjectKey, value: Object)]
            switch selection {
            case .service(let service): selected = Array(objectsByService[service] ?? [:])
            case .all: selected = objectsByService.values.flatMap { $0 }
            }
            return selected.sorted { $0.key < $1.key }.map(\.value)
        }

        mutating func apply(_ action: WatchAction<Object>) -> [Delivery] {
            var deliveries: [Delivery] = []
            switch action {
            case .replace(let objects):
                objectsByService = [:]
                services = [:]
                for object in objects {
                    guard let service = service(of: object) else { continue }
                    let key = key(of: object)
                    objectsByService[service, default: [:]][key] = object
                    services[key] = service
                }
                listed = true
                for (service, ids) in subscribersByService {
                    let selected = self.objects(selectedBy: .service(service))
                    deliveries += ids.map { Delivery(subscriber: $0, action: .replace(selected)) }
                }
                if !subscribersOfAll.isEmpty {
                    let all = self.objects(selectedBy: .all)
                    deliveries += subscribersOfAll.map { Delivery(subscriber: $0, action: .replace(all)) }
                }
            case .upsert(let object):
                let key = key(of: object)
                let service = service(of: object)
                if let previous = services[key], previous != service {
                    if let old = removeObject(key, of: previous) {
                        for id in subscribersByService[previous] ?? [] {
                            deliveries.append(Delivery(subscriber: id, action: .delete(old)))
                        }
                        if service == nil {
                            deliveries += subscribersOfAll.map { Delivery(subscriber: $0, action: .delete(old)) }
                        }
                    }
                }
                guard let service else { break }
                objectsByService[service, default: [:]][key] = object
                services[key] = service
                for id in (subscribersByService[service] ?? []).union(subscribersOfAll) {
                    deliveries.append(Delivery(subscriber: id, action: .upsert(object)))
                }
            case .delete(let object):
                let key = key(of: object)
                guard let service = services[key], removeObject(key, of: service) != nil else { break }
                for id in (subscribersByService[service] ?? []).union(subscribersOfAll) {
                    deliveries.append(Delivery(subscriber: id, action: .delete(object)))
                }
            }
            return deliveries.sorted { $0.subscriber < $1.subscriber }
        }

        private mutating func removeObject(_ key: ObjectKey, of service: ObjectKey) -> Object? {
            services[key] = nil
            let removed = objectsByService[service]?.removeValue(forKey: key)
            if objectsByService[service]?.isEmpty == true { objectsByService[service] = nil }
            return removed
        }

        private func key(of object: Object) -> ObjectKey {
            ObjectKey(namespace: object.metadata.namespace ?? namespace ?? "", name: object.metadata.name ?? "")
        }

        private func service(of object: Object) -> ObjectKey? {
            object.serviceName.map { ObjectKey(namespace: object.metadata.namespace ?? namespace ?? "", name: $0) }
        }
    }
}

extension InformerState.OnSubscribe: Equatable where Object: Equatable {}

extension InformerState.Delivery: Equatable where Object: Equatable {}
