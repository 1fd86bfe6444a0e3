import Testing

@testable import Discovery

/// The exposed-Services set of a feed, change by change: what joins and leaves it, how watches of several
/// namespaces combine, and when it is complete.
@Suite("Exposed Services state")
struct ExposedServicesStateTests {
    static let shop = WatchedCollection.namespace("shop")
    static let books = WatchedCollection.namespace("books")

    static func service(
        _ name: String, in namespace: String = "shop", exposed: Bool = true, extra: [String: String] = [:]
    ) -> Service {
        var annotations = extra
        if exposed { annotations["portico.io/expose"] = "true" }
        return ExposedServiceTests.service(name, namespace: namespace, annotations: annotations)
    }

    @Test("nothing is complete until every watch has listed; then the set is ordered by namespace and name")
    func waitsForEveryList() {
        var state = ExposedServicesState(collections: [Self.shop, Self.books], namespaces: ["shop", "books"])
        #expect(state.current == nil)
        state.apply(
            .replace([Self.service("b"), Self.service("a"), Self.service("plain", exposed: false)]), from: Self.shop)
        #expect(state.current == nil)
        state.apply(.upsert(Self.service("c")), from: Self.shop)
        #expect(state.current == nil)
        state.apply(.replace([Self.service("z", in: "books")]), from: Self.books)
        #expect(state.current?.map(\.backendName) == ["books/z", "shop/a", "shop/b", "shop/c"])
    }

    @Test("gaining the annotation adds a Service; losing it or deletion removes it; other changes update it")
    func changes() {
        var state = ExposedServicesState(collections: [Self.shop], namespaces: nil)
        state.apply(.replace([Self.service("a", exposed: false)]), from: Self.shop)
        #expect(state.current == [])
        state.apply(.upsert(Self.service("a")), from: Self.shop)
        #expect(state.current?.map(\.backendName) == ["shop/a"])
        state.apply(.upsert(Self.service("a", extra: ["portico.io/balancer": "ewma"])), from: Self.shop)
        #expect(state.current?.first?.settings.balancer == "ewma")
        state.apply(.upsert(Self.service("a", exposed: false)), from: Self.shop)
        #expect(state.current == [])
        state.apply(.upsert(Self.service("a")), from: Self.shop)
        state.apply(.upsert(Self.service("b")), from: Self.shop)
        state.apply(.delete(Self.service("a")), from: Self.shop)
        #expect(state.current?.map(\.backendName) == ["shop/b"])
        state.apply(.delete(Self.service("never-seen")), from: Self.shop)
        #expect(state.current?.map(\.backendName) == ["shop/b"])
    }

    @Test("a relist replaces what its own watch delivered, nothing else")
    func relist() {
        var state = ExposedServicesState(collections: [Self.shop, Self.books], namespaces: nil)
        state.apply(.replace([Self.service("a"), Self.service("b")]), from: Self.shop)
        state.apply(.replace([Self.service("x", in: "books")]), from: Self.books)
        state.apply(.replace([Self.service("b"), Self.service("c")]), from: Self.shop)
        #expect(state.current?.map(\.backendName) == ["books/x", "shop/b", "shop/c"])
    }

    @Test("a cluster-wide watch for a namespace list keeps the listed namespaces only")
    func clusterWatchFilteredLocally() {
        var state = ExposedServicesState(collections: [.cluster], namespaces: ["shop"])
        state.apply(.replace([Self.service("a"), Self.service("a", in: "books")]), from: .cluster)
        #expect(state.current?.map(\.backendName) == ["shop/a"])
        state.apply(.upsert(Self.service("b", in: "books")), from: .cluster)
        state.apply(.upsert(Self.service("b")), from: .cluster)
        #expect(state.current?.map(\.backendName) == ["shop/a", "shop/b"])
    }

    @Test("a feed over no collection is complete and empty at once")
    func noCollections() {
        #expect(ExposedServicesState(collections: [], namespaces: []).current == [])
    }
}
