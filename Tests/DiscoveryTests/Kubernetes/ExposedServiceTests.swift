import Testing

@testable import Discovery

/// Which Services are exposed, what an exposed Service carries, and which port the gateway talks gRPC to.
@Suite("Exposed Service")
struct ExposedServiceTests {
    static func service(
        _ name: String = "library", namespace: String? = "shop", ports: [(String?, Int, String?)] = [("grpc", 80, nil)],
        annotations: [String: String]? = ["portico.io/expose": "true"]
    ) -> Service {
        Service(
            metadata: ObjectMeta(name: name, namespace: namespace, resourceVersion: "1", annotations: annotations),
            spec: .init(ports: ports.map { Service.Port(name: $0.0, port: $0.1, protocol: $0.2) }))
    }

    static func exposed(_ ports: [(String?, Int)], port annotation: String? = nil) -> ExposedService {
        var annotations = ["portico.io/expose": "true"]
        annotations["portico.io/port"] = annotation
        return ExposedService(
            namespace: "shop", name: "library", ports: ports.map { ExposedService.Port(name: $0.0, port: $0.1) },
            settings: BackendSettings(annotations: annotations))
    }

    @Test(
        "only portico.io/expose exactly \"true\" exposes a Service",
        arguments: [
            ("true", true), ("True", false), ("TRUE", false), ("yes", false), ("1", false), ("", false),
            (" true", false), ("false", false),
        ])
    func exposeValue(value: String, exposed: Bool) {
        #expect(
            (ExposedService(Self.service(annotations: ["portico.io/expose": value]), namespace: nil) != nil) == exposed)
    }

    @Test("a Service without annotations, or without the expose annotation, is not exposed")
    func notAnnotated() {
        #expect(ExposedService(Self.service(annotations: nil), namespace: nil) == nil)
        #expect(ExposedService(Self.service(annotations: ["portico.io/balancer": "ewma"]), namespace: nil) == nil)
    }

    @Test("an exposed Service carries its namespace, name, TCP ports and portico.io annotations only")
    func fields() throws {
        let annotations = [
            "portico.io/expose": "true", "portico.io/balancer": "ewma", "portico.io/timeout": "5s",
            "portico.io/retryOn": "unavailable", "kubectl.kubernetes.io/last-applied-configuration": "{}",
        ]
        let service = Self.service(
            ports: [("grpc", 80, "TCP"), ("dns", 53, "UDP"), ("metrics", 9090, nil), (nil, 81, "SCTP")],
            annotations: annotations)
        let exposed = try #require(ExposedService(service, namespace: nil))
        #expect(exposed.namespace == "shop")
        #expect(exposed.name == "library")
        #expect(exposed.backendName == "shop/library")
        #expect(exposed.ports == [.init(name: "grpc", port: 80), .init(name: "metrics", port: 9090)])
        #expect(exposed.settings.balancer == "ewma")
        #expect(exposed.settings.annotations[BackendSettings.timeoutAnnotation] == "5s")
        #expect(exposed.settings.annotations[BackendSettings.retryOnAnnotation] == "unavailable")
        #expect(exposed.settings.annotations.keys.allSatisfy { $0.hasPrefix("portico.io/") })
    }

    @Test("a Service that names no namespace takes its watch's")
    func namespaceFromWatch() throws {
        let exposed = try #require(ExposedService(Self.service(namespace: nil), namespace: "books"))
        #expect(exposed.backendName == "books/library")
    }

    @Test(
        "the gRPC port: by name, by number, else the port named grpc, else the only port",
        arguments: [
            ([("http", 8080), ("api", 50051)], "api", ExposedService.Port(name: "api", port: 50051)),
            ([("http", 8080), ("api", 50051)], "50051", ExposedService.Port(name: "api", port: 50051)),
            ([("http", 8080), ("api", 50051)], "8080", ExposedService.Port(name: "http", port: 8080)),
            ([("http", 8080), ("grpc", 9000)], nil, ExposedService.Port(name: "grpc", port: 9000)),
            ([(nil, 50051)], nil, ExposedService.Port(name: nil, port: 50051)),
            ([("api", 50051)], nil, ExposedService.Port(name: "api", port: 50051)),
            ([(nil, 50051)], "50051", ExposedService.Port(name: nil, port: 50051)),
        ] as [([(String?, Int)], String?, ExposedService.Port)])
    func grpcPort(ports: [(String?, Int)], annotation: String?, expected: ExposedService.Port) throws {
        #expect(try Self.exposed(ports, port: annotation).grpcPort() == expected)
    }

    @Test(
        "an unusable port is an error naming the Service, the value and the ports, not a crash",
        arguments: [
            ([("http", 8080), ("api", 50051)], "grpc", ExposedService.PortError.Code.noSuchPort),
            ([("http", 8080), ("api", 50051)], "9000", .noSuchPort),
            ([("http", 8080)], "", .invalidAnnotation),
            ([("http", 8080)], "0", .invalidAnnotation),
            ([("http", 8080)], "70000", .invalidAnnotation),
            ([("http", 8080)], "99999999999999999999999", .invalidAnnotation),
            ([("http", 8080)], "-1", .noSuchPort),
            ([("http", 8080), ("api", 50051)], nil, .noDefaultPort),
            ([], nil, .noDefaultPort),
            ([], "grpc", .noSuchPort),
        ] as [([(String?, Int)], String?, ExposedService.PortError.Code)])
    func badPort(ports: [(String?, Int)], annotation: String?, code: ExposedService.PortError.Code) {
        let exposed = Self.exposed(ports, port: annotation)
        #expect(throws: ExposedService.PortError.self) { try exposed.grpcPort() }
        do {
            _ = try exposed.grpcPort()
        } catch {
            #expect(error.code == code)
            #expect(error.service == "shop/library")
            #expect(error.value == annotation)
            #expect(error.description.hasPrefix("shop/library: "))
        }
    }

    @Test("the error says what is wrong and which ports there are")
    func errorText() {
        #expect(throws: ExposedService.PortError.self) { try Self.exposed([("http", 8080)], port: "grpc").grpcPort() }
        do {
            _ = try Self.exposed([("http", 8080), (nil, 81)], port: "grpc").grpcPort()
        } catch {
            #expect(
                error.description
                    == "shop/library: portico.io/port \"grpc\": the Service has no such port (TCP ports: http 8080, 81)"
            )
        }
    }

    @Test("the service reference follows the port by name, or by number when it has none")
    func serviceRef() throws {
        let named = try Self.exposed([("http", 8080), ("api", 50051)], port: "50051").serviceRef()
        #expect(named == KubernetesServiceRef(service: "library", namespace: "shop", port: .name("api")))
        let unnamed = try Self.exposed([(nil, 50051)]).serviceRef()
        #expect(unnamed == KubernetesServiceRef(service: "library", namespace: "shop", port: .number(50051)))
    }
}
