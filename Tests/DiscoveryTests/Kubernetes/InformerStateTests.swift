import Testing

@testable import Discovery

/// The shared informer's decisions, transition by transition: when watches start and stop, which
/// subscribers each change reaches, and what a late subscriber gets from the cache.
@Suite("Shared informer state")
struct InformerStateTests {
    typealias State = InformerState<EndpointSlice>
    typealias ID = State.SubscriberID

    static let shop = WatchedCollection.namespace("shop")

    static func slice(_ name: String, service: String?, namespace: String = "shop", ip: String = "10.0.0.1")
        -> EndpointSlice
    {
        EndpointSlice(
            metadata: ObjectMeta(
                name: name, namespace: namespace, resourceVersion: "1",
                labels: service.map { ["kubernetes.io/service-name": $0] }),
            addressType: "IPv4", endpoints: [EndpointSlice.Endpoint(addresses: [ip])],
            ports: [EndpointSlice.Port(name: "grpc", port: 9000)])
    }

    static func service(_ name: String, in namespace: String = "shop") -> InformerSelection {
        .service(ObjectKey(namespace: namespace, name: name))
    }

    static func id(_ value: Int) -> ID { ID(rawValue: value) }

    @Test("the first subscriber of a collection starts its watch; later ones wait for the first list")
    func firstSubscriberStartsTheWatch() {
        var state = State()
        let (first, onFirst) = state.subscribe(to: Self.shop, selecting: Self.service("a"))
        #expect(onFirst == .startWatch(Self.shop, generation: 1))
        let (second, onSecond) = state.subscribe(to: Self.shop, selecting: Self.service("b"))
        #expect(onSecond == .awaitList)
        #expect(first != second)
        let (_, onOther) = state.subscribe(to: .namespace("books"), selecting: Self.service("a", in: "books"))
        #expect(onOther == .startWatch(.namespace("books"), generation: 2))
        #expect(state.watchedCollections == [Self.shop, .namespace("books")])
        #expect(!state.isListed(Self.shop))
    }

    @Test("the first list reaches every subscriber as a replace of its own Service's objects only")
    func firstListFansOut() {
        var state = State()
        let (a, _) = state.subscribe(to: Self.shop, selecting: Self.service("a"))
        let (b, _) = state.subscribe(to: Self.shop, selecting: Self.service("b"))
        let (none, _) = state.subscribe(to: Self.shop, selecting: Self.service("nothing"))
        let a1 = Self.slice("a-1", service: "a")
        let a2 = Self.slice("a-2", service: "a")
        let b1 = Self.slice("b-1", service: "b")
        let deliveries = state.receive(.replace([b1, a2, a1]), from: Self.shop, generation: 1)
        #expect(
            deliveries == [
                .init(subscriber: a, action: .replace([a1, a2])), .init(subscriber: b, action: .replace([b1])),
                .init(subscriber: none, action: .replace([])),
            ])
        #expect(state.isListed(Self.shop))
    }

    @Test("a subscriber of a listed collection gets its objects from the cache at once")
    func lateSubscriberReadsTheCache() {
        var state = State()
        _ = state.subscribe(to: Self.shop, selecting: Self.service("a"))
        let b1 = Self.slice("b-1", service: "b")
        _ = state.receive(.replace([Self.slice("a-1", service: "a"), b1]), from: Self.shop, generation: 1)
        let (_, onSubscribe) = state.subscribe(to: Self.shop, selecting: Self.service("b"))
        #expect(onSubscribe == .deliver(.replace([b1])))
        let (_, onAll) = state.subscribe(to: Self.shop, selecting: .all)
        #expect(onAll == .deliver(.replace([Self.slice("a-1", service: "a"), b1])))
    }

    @Test("an added, changed or deleted slice reaches the subscribers of its Service and of everything, no other")
    func changesReachTheirServiceOnly() {
        var state = State()
        let (a, _) = state.subscribe(to: Self.shop, selecting: Self.service("a"))
        let (b, _) = state.subscribe(to: Self.shop, selecting: Self.service("b"))
        let (secondA, _) = state.subscribe(to: Self.shop, selecting: Self.service("a"))
        let (all, _) = state.subscribe(to: Self.shop, selecting: .all)
        _ = state.receive(.replace([]), from: Self.shop, generation: 1)

        let added = Self.slice("a-1", service: "a")
        #expect(
            state.receive(.upsert(added), from: Self.shop, generation: 1) == [
                .init(subscriber: a, action: .upsert(added)), .init(subscriber: secondA, action: .upsert(added)),
                .init(subscriber: all, action: .upsert(added)),
            ])
        let changed = Self.slice("b-1", service: "b", ip: "10.0.0.2")
        #expect(
            state.receive(.upsert(changed), from: Self.shop, generation: 1) == [
                .init(subscriber: b, action: .upsert(changed)), .init(subscriber: all, action: .upsert(changed)),
            ])
        #expect(
            state.receive(.delete(added), from: Self.shop, generation: 1) == [
                .init(subscriber: a, action: .delete(added)), .init(subscriber: secondA, action: .delete(added)),
                .init(subscriber: all, action: .delete(added)),
            ])
        #expect(state.receive(.delete(added), from: Self.shop, generation: 1).isEmpty, "already gone")
        let (_, late) = state.subscribe(to: Self.shop, selecting: Self.service("b"))
        #expect(late == .deliver(.replace([changed])))
    }

    @Test("a slice that moves to another Service is a delete for the old one's subscribers, an add for the new")
    func relabelledSlice() {
        var state = State()
        let (a, _) = state.subscribe(to: Self.shop, selecting: Self.service("a"))
        let (b, _) = state.subscribe(to: Self.shop, selecting: Self.service("b"))
        let before = Self.slice("s", service: "a")
        _ = state.receive(.replace([before]), from: Self.shop, generation: 1)
        let after = Self.slice("s", service: "b")
        #expect(
            state.receive(.upsert(after), from: Self.shop, generation: 1) == [
                .init(subscriber: a, action: .delete(before)), .init(subscriber: b, action: .upsert(after)),
            ])
        let unlabelled = Self.slice("s", service: nil)
        #expect(
            state.receive(.upsert(unlabelled), from: Self.shop, generation: 1) == [
                .init(subscriber: b, action: .delete(after))
            ])
        let (_, late) = state.subscribe(to: Self.shop, selecting: .all)
        #expect(late == .deliver(.replace([])))
    }

    @Test("a relist replaces the cache: each subscriber gets its Service's new objects, an emptied one none")
    func relistReplaces() {
        var state = State()
        let (a, _) = state.subscribe(to: Self.shop, selecting: Self.service("a"))
        let (b, _) = state.subscribe(to: Self.shop, selecting: Self.service("b"))
        _ = state.receive(
            .replace([Self.slice("a-1", service: "a"), Self.slice("b-1", service: "b")]), from: Self.shop,
            generation: 1)
        let a2 = Self.slice("a-2", service: "a", ip: "10.0.0.9")
        #expect(
            state.receive(.replace([a2]), from: Self.shop, generation: 1) == [
                .init(subscriber: a, action: .replace([a2])), .init(subscriber: b, action: .replace([])),
            ])
    }

    @Test("the last subscriber's leaving stops the watch and drops its cache; a change from it is then ignored")
    func lastUnsubscribeStops() {
        var state = State()
        let (a, _) = state.subscribe(to: Self.shop, selecting: Self.service("a"))
        let (b, _) = state.subscribe(to: Self.shop, selecting: Self.service("b"))
        _ = state.receive(.replace([Self.slice("b-1", service: "b")]), from: Self.shop, generation: 1)
        #expect(state.unsubscribe(a) == .none)
        #expect(state.receive(.upsert(Self.slice("a-1", service: "a")), from: Self.shop, generation: 1).isEmpty)
        #expect(state.unsubscribe(b) == .stopWatch(Self.shop))
        #expect(state.watchedCollections.isEmpty)
        #expect(state.unsubscribe(b) == .none, "unsubscribing twice does nothing")
        #expect(!state.isListed(Self.shop))

        let (c, restart) = state.subscribe(to: Self.shop, selecting: Self.service("b"))
        #expect(restart == .startWatch(Self.shop, generation: 2), "a new watch, not the old cache")
        #expect(state.receive(.replace([Self.slice("b-1", service: "b")]), from: Self.shop, generation: 1).isEmpty)
        #expect(!state.isListed(Self.shop), "the stopped watch's list does not count")
        let fresh = Self.slice("b-2", service: "b")
        #expect(
            state.receive(.replace([fresh]), from: Self.shop, generation: 2) == [
                .init(subscriber: c, action: .replace([fresh]))
            ])
    }

    @Test("one cluster-wide collection keeps same-named Services of different namespaces apart")
    func clusterCollection() {
        var state = State()
        let (shopA, onSubscribe) = state.subscribe(to: .cluster, selecting: Self.service("a"))
        #expect(onSubscribe == .startWatch(.cluster, generation: 1))
        let (booksA, onSecond) = state.subscribe(to: .cluster, selecting: Self.service("a", in: "books"))
        #expect(onSecond == .awaitList, "one watch for every namespace")
        let inShop = Self.slice("a-1", service: "a")
        let inBooks = Self.slice("a-1", service: "a", namespace: "books", ip: "10.1.0.1")
        let elsewhere = Self.slice("a-1", service: "a", namespace: "other", ip: "10.2.0.1")
        #expect(
            state.receive(.replace([inShop, inBooks, elsewhere]), from: .cluster, generation: 1) == [
                .init(subscriber: shopA, action: .replace([inShop])),
                .init(subscriber: booksA, action: .replace([inBooks])),
            ])
        let changed = Self.slice("a-1", service: "a", namespace: "books", ip: "10.1.0.2")
        #expect(
            state.receive(.upsert(changed), from: .cluster, generation: 1) == [
                .init(subscriber: booksA, action: .upsert(changed))
            ])
        #expect(state.receive(.delete(elsewhere), from: .cluster, generation: 1).isEmpty)
    }

    @Test("Services and legacy Endpoints belong to the Service of their own name")
    func ownNameIsTheService() {
        var services = InformerState<Service>()
        let (id, _) = services.subscribe(to: Self.shop, selecting: Self.service("library"))
        let library = Service(metadata: ObjectMeta(name: "library", namespace: "shop"), spec: nil)
        let other = Service(metadata: ObjectMeta(name: "other", namespace: "shop"), spec: nil)
        #expect(
            services.receive(.replace([other, library]), from: Self.shop, generation: 1) == [
                .init(subscriber: id, action: .replace([library]))
            ])
        var endpoints = InformerState<Endpoints>()
        let (legacy, _) = endpoints.subscribe(to: Self.shop, selecting: Self.service("library"))
        let object = Endpoints(metadata: ObjectMeta(name: "library", namespace: "shop"), subsets: nil)
        _ = endpoints.receive(.replace([]), from: Self.shop, generation: 1)
        #expect(
            endpoints.receive(.upsert(object), from: Self.shop, generation: 1) == [
                .init(subscriber: legacy, action: .upsert(object))
            ])
    }

    @Test("collection paths, namespaced and cluster-wide, and the slices' label-existence selector")
    func paths() {
        #expect(Self.shop.path(of: EndpointSlice.self) == "/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices")
        #expect(WatchedCollection.cluster.path(of: EndpointSlice.self) == "/apis/discovery.k8s.io/v1/endpointslices")
        #expect(WatchedCollection.cluster.path(of: Service.self) == "/api/v1/services")
        #expect(Self.shop.path(of: Endpoints.self) == "/api/v1/namespaces/shop/endpoints")
        #expect(EndpointSlice.selector! == ("labelSelector", "kubernetes.io/service-name"))
        #expect(Service.selector == nil)
    }
}
