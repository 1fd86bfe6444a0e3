import Foundation
import Testing

@testable import Discovery

@Suite("Merging a Service's EndpointSlices into snapshots")
struct ServiceEndpointsStateTests {
    static func slice(
        _ name: String, ports: [String: Int] = ["grpc": 9000], _ endpoints: [EndpointSlice.Endpoint]
    ) -> EndpointSlice {
        EndpointSlice(
            metadata: ObjectMeta(name: name, namespace: "shop", resourceVersion: "1"), addressType: "IPv4",
            endpoints: endpoints, ports: ports.map { EndpointSlice.Port(name: $0.key, port: $0.value) })
    }

    static func endpoint(
        _ ip: String, ready: Bool? = true, serving: Bool? = nil, terminating: Bool? = nil, pod: String? = nil
    ) -> EndpointSlice.Endpoint {
        EndpointSlice.Endpoint(
            addresses: [ip], conditions: .init(ready: ready, serving: serving, terminating: terminating),
            targetRef: pod.map { ObjectReference(kind: "Pod", name: $0) }, nodeName: "node-1", zone: "zone-a")
    }

    static func service(ports: [(String?, Int)], annotations: [String: String] = [:]) -> Service {
        Service(
            metadata: ObjectMeta(name: "library", namespace: "shop", annotations: annotations),
            spec: .init(ports: ports.map { Service.Port(name: $0.0, port: $0.1) }))
    }

    @Test("ready endpoints are kept with pod, node and zone; not-ready ones are dropped")
    func conditions() {
        var state = ServiceEndpointsState(backend: "library", port: .name("grpc"))
        state.apply(
            .replace([
                Self.slice(
                    "a",
                    [
                        Self.endpoint("10.0.0.1", pod: "p1"),
                        Self.endpoint("10.0.0.2", ready: nil),
                        Self.endpoint("10.0.0.3", ready: false),
                        Self.endpoint("10.0.0.4", ready: false, serving: true, terminating: true),
                        Self.endpoint("10.0.0.5", ready: false, serving: false, terminating: true),
                    ])
            ]))
        let snapshot = state.snapshot()
        #expect(snapshot.addresses == ["10.0.0.1:9000", "10.0.0.2:9000", "10.0.0.4:9000"])
        #expect(snapshot.endpoints.first?.podName == "p1")
        #expect(snapshot.endpoints.first?.node == "node-1")
        #expect(snapshot.endpoints.first?.zone == "zone-a")
        #expect(snapshot.endpoints.first { $0.host == "10.0.0.4" }?.condition == .terminating)
        #expect(snapshot.serving.map(\.host) == ["10.0.0.1", "10.0.0.2"])
    }

    @Test("all slices are merged, an endpoint in two slices appears once, ready winning")
    func merge() {
        var state = ServiceEndpointsState(backend: "library", port: .name("grpc"))
        state.apply(
            .replace([
                Self.slice("a", [Self.endpoint("10.0.0.1", ready: false, serving: true, terminating: true)]),
                Self.slice("b", [Self.endpoint("10.0.0.1"), Self.endpoint("10.0.0.2")]),
            ]))
        let snapshot = state.snapshot()
        #expect(snapshot.addresses == ["10.0.0.1:9000", "10.0.0.2:9000"])
        #expect(snapshot.endpoints.allSatisfy { $0.condition == .ready })
    }

    @Test("a change to one slice keeps the others; a deleted slice removes only its endpoints")
    func sliceEvents() {
        var state = ServiceEndpointsState(backend: "library", port: .name("grpc"))
        state.apply(
            .replace([Self.slice("a", [Self.endpoint("10.0.0.1")]), Self.slice("b", [Self.endpoint("10.0.0.2")])]))
        state.apply(.upsert(Self.slice("a", [Self.endpoint("10.0.0.1"), Self.endpoint("10.0.0.3")])))
        #expect(state.snapshot().addresses == ["10.0.0.1:9000", "10.0.0.2:9000", "10.0.0.3:9000"])
        state.apply(.delete(Self.slice("b", [])))
        #expect(state.snapshot().addresses == ["10.0.0.1:9000", "10.0.0.3:9000"])
    }

    @Test("a relist replaces the state: slices missing from it are gone")
    func relist() {
        var state = ServiceEndpointsState(backend: "library", port: .name("grpc"))
        state.apply(
            .replace([Self.slice("a", [Self.endpoint("10.0.0.1")]), Self.slice("b", [Self.endpoint("10.0.0.2")])]))
        state.apply(.replace([Self.slice("b", [Self.endpoint("10.0.0.2")])]))
        #expect(state.snapshot().addresses == ["10.0.0.2:9000"])
    }

    @Test("250 endpoints across 3 slices all appear")
    func manySlices() {
        var state = ServiceEndpointsState(backend: "library", port: .name("grpc"))
        let slices = (0..<3).map { index in
            Self.slice(
                "s\(index)",
                (0..<(index == 2 ? 50 : 100)).map { Self.endpoint("10.\(index).0.\($0)") })
        }
        state.apply(.replace(slices))
        #expect(state.snapshot().endpoints.count == 250)
    }

    @Test("the port is resolved by name per slice; slices without it are skipped")
    func portByName() {
        var state = ServiceEndpointsState(backend: "library", port: .name("grpc"))
        state.apply(
            .replace([
                Self.slice("a", ports: ["grpc": 9000, "http": 8080], [Self.endpoint("10.0.0.1")]),
                Self.slice("b", ports: ["grpc": 9001], [Self.endpoint("10.0.0.2")]),
                Self.slice("c", ports: ["http": 8080], [Self.endpoint("10.0.0.3")]),
            ]))
        #expect(state.snapshot().addresses == ["10.0.0.1:9000", "10.0.0.2:9001"])
    }

    @Test("a port number is mapped through the Service's port to its name, else taken as the pods' port")
    func portByNumber() {
        var state = ServiceEndpointsState(backend: "library", port: .number(80))
        state.apply(.replace([Self.slice("a", ports: ["grpc": 9000], [Self.endpoint("10.0.0.1")])]))
        state.apply(WatchAction<Service>.replace([Self.service(ports: [("grpc", 80)])]))
        #expect(state.snapshot().addresses == ["10.0.0.1:9000"])
        state.apply(WatchAction<Service>.replace([Self.service(ports: [("grpc", 81)])]))
        #expect(state.snapshot().addresses == ["10.0.0.1:80"])
        var unnamed = ServiceEndpointsState(backend: "library", port: .number(80))
        unnamed.apply(.replace([Self.slice("a", ports: ["": 7000], [Self.endpoint("10.0.0.1")])]))
        unnamed.apply(WatchAction<Service>.replace([Self.service(ports: [(nil, 80)])]))
        #expect(unnamed.snapshot().addresses == ["10.0.0.1:7000"])
    }

    @Test("portico.io annotations become settings; other annotations are ignored")
    func annotations() {
        var state = ServiceEndpointsState(backend: "library", port: .name("grpc"))
        state.apply(
            WatchAction<Service>.upsert(
                Self.service(
                    ports: [("grpc", 80)],
                    annotations: ["portico.io/balancer": "ewma", "portico.io/other": "x", "team": "books"])))
        let settings = state.snapshot().settings
        #expect(settings.balancer == "ewma")
        #expect(settings.annotations == ["portico.io/balancer": "ewma", "portico.io/other": "x"])
        state.apply(WatchAction<Service>.delete(Self.service(ports: [])))
        #expect(state.snapshot().settings == BackendSettings())
    }

    @Test("legacy Endpoints subsets give ready addresses at the named port")
    func legacy() {
        var state = ServiceEndpointsState(backend: "library", port: .name("grpc"))
        let object = Endpoints(
            metadata: ObjectMeta(name: "library"),
            subsets: [
                .init(
                    addresses: [
                        .init(ip: "10.0.0.1", nodeName: "n1", targetRef: ObjectReference(kind: "Pod", name: "p1"))
                    ],
                    ports: [.init(name: "grpc", port: 9000)]),
                .init(addresses: [.init(ip: "10.0.0.2")], ports: [.init(name: "grpc", port: 9001)]),
            ])
        state.apply(WatchAction<Endpoints>.replace([object]))
        #expect(state.snapshot().addresses == ["10.0.0.1:9000", "10.0.0.2:9001"])
        #expect(state.snapshot().endpoints.first?.podName == "p1")
        state.apply(WatchAction<Endpoints>.delete(object))
        #expect(state.snapshot().endpoints.isEmpty)
    }
}
