import Testing

@testable import Discovery

/// A watched collection's path and selectors: a label selector narrows the kind's own, and makes a
/// different collection from the one without.
@Suite("Watched collection")
struct WatchedCollectionTests {
    @Test("a label selector is part of the collection's identity; an empty one is none")
    func identity() {
        #expect(WatchedCollection.cluster.selecting("team=books") != .cluster)
        #expect(WatchedCollection.namespace("shop").selecting("team=books") != .namespace("shop"))
        #expect(WatchedCollection.namespace("shop").selecting("") == .namespace("shop"))
        #expect(WatchedCollection.namespace("shop").selecting(nil) == .namespace("shop"))
        #expect(WatchedCollection.cluster.selecting("a=b").path(of: Service.self) == "/api/v1/services")
    }

    @Test("the selectors sent: the kind's own, the collection's, or both joined with a comma")
    func selectors() {
        let plain = WatchedCollection.namespace("shop")
        let selected = plain.selecting("team=books")
        #expect(plain.selectors(of: Service.self).isEmpty)
        #expect(selected.selectors(of: Service.self).map { "\($0.0)=\($0.1)" } == ["labelSelector=team=books"])
        #expect(
            plain.selectors(of: EndpointSlice.self).map { "\($0.0)=\($0.1)" }
                == ["labelSelector=kubernetes.io/service-name"])
        #expect(
            selected.selectors(of: EndpointSlice.self).map { "\($0.0)=\($0.1)" }
                == ["labelSelector=kubernetes.io/service-name,team=books"])
    }
}
