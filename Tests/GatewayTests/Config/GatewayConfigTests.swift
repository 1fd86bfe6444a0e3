import Balancer
import Discovery
import Foundation
import Gateway
import Testing
import Yams

@Suite("GatewayConfig: the YAML contract")
struct GatewayConfigTests {
    @Test("the documented example parses, with defaults for every key not given")
    func example() throws {
        let yaml = """
            listen: 127.0.0.1:8080          # HTTP/1.1 and h2c
            admin: 127.0.0.1:9901
            backends:
              - name: library
                descriptors: [protos/library.pb]
                endpoints: ["127.0.0.1:50051", "127.0.0.1:50052"]
                balancer: round-robin
            """
        let config = try GatewayConfig(yaml: yaml, file: "portico.yaml", relativeTo: "/etc/portico")
        #expect(config.listen == SocketAddressText(host: "127.0.0.1", port: 8080))
        #expect(config.admin.port == 9901)
        #expect(config.limits.maxRequestBytes == 4 << 20)
        #expect(config.limits.maxHeaderBytes == 16 << 10)
        #expect(config.limits.maxConcurrentStreams == 1000)
        #expect(config.json.emitUnpopulated == false)
        let backend = try #require(config.backends.first)
        #expect(backend.descriptorFiles == ["/etc/portico/protos/library.pb"])
        #expect(backend.endpoints.map(\.port) == [50051, 50052])
        #expect(backend.timeout == .seconds(30))
        #expect(backend.connectTimeout == .seconds(5))
        #expect(backend.services.isEmpty)
    }

    @Test("`reflection: true` stands in for `descriptors`, with its defaults; a mapping sets them")
    func reflection() throws {
        let yaml = """
            backends:
              - {name: a, reflection: true, endpoints: ["x:1"]}
              - name: b
                descriptors: [b.pb]
                reflection: {refreshInterval: 5m, timeout: 2s, maxMessageBytes: 65536}
                endpoints: ["x:2"]
              - {name: c, descriptors: [c.pb], endpoints: ["x:3"]}
            """
        let config = try GatewayConfig(yaml: yaml, file: "portico.yaml", relativeTo: "/etc/portico")
        #expect(config.backends[0].descriptorFiles.isEmpty)
        #expect(config.backends[0].reflection == .defaults)
        #expect(config.backends[0].reflection?.refreshInterval == .seconds(60))
        #expect(config.backends[0].reflection?.timeout == .seconds(10))
        #expect(config.backends[1].descriptorFiles == ["/etc/portico/b.pb"])
        #expect(
            config.backends[1].reflection
                == GatewayConfig.Reflection(refreshInterval: .seconds(300), timeout: .seconds(2), maxMessageBytes: 65536))
        #expect(config.backends[2].reflection == nil)
    }

    @Test("every optional key is read")
    func allKeys() throws {
        let yaml = """
            listen: "[::1]:0"
            eventLoops: 3
            maxRequestBytes: 1024
            maxResponseBytes: 2048
            maxHeaderBytes: 4096
            maxJSONDepth: 10
            idleTimeout: 2m
            maxConcurrentStreams: 50
            json: { emitUnpopulated: true, useProtoNames: true, enumsAsInts: true }
            backends:
              - name: echo
                descriptors: [/abs/echo.pb]
                services: [portico.demo.echo.v1.EchoService]
                endpoints: ["localhost:1"]
                timeout: 250ms
                connectTimeout: 1.5s
            """
        let config = try GatewayConfig(yaml: yaml, file: "f.yaml", relativeTo: "/x")
        #expect(config.listen == SocketAddressText(host: "::1", port: 0))
        #expect(config.eventLoops == 3)
        #expect(config.limits.maxRequestBytes == 1024)
        #expect(config.limits.maxResponseBytes == 2048)
        #expect(config.limits.maxHeaderBytes == 4096)
        #expect(config.limits.maxJSONDepth == 10)
        #expect(config.limits.idleTimeout == .seconds(120))
        #expect(config.limits.maxConcurrentStreams == 50)
        #expect(config.json.emitUnpopulated && config.json.useProtoNames && config.json.enumsAsInts)
        #expect(config.backends[0].descriptorFiles == ["/abs/echo.pb"])
        #expect(config.backends[0].services == ["portico.demo.echo.v1.EchoService"])
        #expect(config.backends[0].timeout == .milliseconds(250))
        #expect(config.backends[0].connectTimeout == .milliseconds(1500))
    }

    @Test("a backend's json section overrides the gateway's keys it names and keeps the others")
    func backendJSONOptions() throws {
        let yaml = """
            json: { useProtoNames: true, indent: 2 }
            backends:
              - name: a
                descriptors: [/abs/a.pb]
                endpoints: ["localhost:1"]
                json: { int64AsNumbers: true, indent: 0, discardUnknownFields: true }
              - name: b
                descriptors: [/abs/b.pb]
                endpoints: ["localhost:2"]
            """
        let config = try GatewayConfig(yaml: yaml, file: "f.yaml", relativeTo: "/x")
        #expect(config.json.useProtoNames && config.json.indent == 2 && !config.json.int64AsNumbers)
        let own = try #require(config.backends[0].json)
        #expect(own.useProtoNames && own.int64AsNumbers && own.indent == 0 && own.discardUnknownFields)
        #expect(config.backends[1].json == nil)
        #expect(throws: ConfigError.self) {
            try GatewayConfig(
                yaml: "json: { indent: 9 }\nbackends: [{name: a, descriptors: [a.pb], endpoints: [\"x:1\"]}]",
                file: "f.yaml", relativeTo: "/x")
        }
    }

    @Test("errors name the file, the key and the line", arguments: [
        ("listen: nowhere\nbackends: []", "listen", 1, "host:port"),
        ("backends:\n  - name: a\n    descriptors: [a.pb]\n    endpoints: [\"x:1\"]\n    balancer: random", "backends[0].balancer", 5, "unknown balancer"),
        ("backends:\n  - name: a\n    descriptors: [a.pb]\n    endpoint: [\"x:1\"]", "backends[0].endpoint", 4, "unknown key"),
        ("backends:\n  - name: a\n    descriptors: [a.pb]", "backends[0]", 2, "endpoints"),
        ("maxRequestBytes: lots\nbackends: []", "maxRequestBytes", 1, "whole number"),
        ("backends:\n  - name: a\n    descriptors: [a.pb]\n    endpoints: [\"x:1\"]\n    timeout: soon", "backends[0].timeout", 5, "duration"),
        ("backends:\n  - {name: a, descriptors: [a.pb], endpoints: [\"x:1\"]}\n  - {name: a, descriptors: [b.pb], endpoints: [\"x:2\"]}", "backends[1]", 3, "two backends"),
        ("listen: [\n", "", 2, "invalid YAML"),
        ("backends:\n  - name: a\n    endpoints: [\"x:1\"]", "backends[0]", 2, "`reflection: true`"),
        ("backends:\n  - name: a\n    reflection: false\n    endpoints: [\"x:1\"]", "backends[0]", 2, "needs `descriptors`"),
        ("backends:\n  - name: a\n    reflection: {timeout: 0s}\n    endpoints: [\"x:1\"]", "backends[0].reflection.timeout", 3, "longer than 0s"),
        ("backends:\n  - name: a\n    reflection: {every: 5s}\n    endpoints: [\"x:1\"]", "backends[0].reflection.every", 3, "unknown key"),
    ])
    func errors(yaml: String, key: String, line: Int, fragment: String) {
        do {
            _ = try GatewayConfig(yaml: yaml, file: "bad.yaml", relativeTo: "/")
            Issue.record("expected an error for \(yaml)")
        } catch {
            #expect(error.file == "bad.yaml")
            #expect(error.key == key, "\(error)")
            #expect(error.line == line, "\(error)")
            #expect(error.message.contains(fragment), "\(error)")
            #expect(error.description.hasPrefix("bad.yaml:\(line)"), "\(error)")
        }
    }

    @Test("a backend names a Kubernetes Service; the kubernetes section is read")
    func kubernetesBackend() throws {
        let yaml = """
            kubernetes: { kubeconfig: kube/config, context: dev, namespace: shop, watchTimeout: 2m, legacyEndpoints: true }
            backends:
              - name: library
                descriptors: [library.pb]
                kubernetes: { service: library, port: grpc }
              - name: echo
                descriptors: [echo.pb]
                kubernetes: { service: echo, namespace: tools, port: 50051 }
                balancer: ewma
            """
        let config = try GatewayConfig(yaml: yaml, file: "k.yaml", relativeTo: "/etc/portico")
        #expect(config.kubernetes.kubeconfig == "/etc/portico/kube/config")
        #expect(config.kubernetes.context == "dev")
        #expect(config.kubernetes.namespace == "shop")
        #expect(config.kubernetes.watchTimeout == .seconds(120))
        #expect(config.kubernetes.legacyEndpoints)
        #expect(config.backends[0].kubernetes == KubernetesServiceRef(service: "library", port: .name("grpc")))
        #expect(config.backends[0].balancer == nil)
        #expect(config.backends[1].kubernetes == KubernetesServiceRef(service: "echo", namespace: "tools", port: .number(50051)))
        #expect(config.backends[1].balancer == .ewma)
        #expect(config.backends[1].endpoints.isEmpty)
    }

    @Test("the kubernetes section's list, watch and exec keys: defaults, values, several kubeconfig files")
    func kubernetesTuning() throws {
        let backends = "backends:\n  - {name: a, descriptors: [a.pb], kubernetes: {service: a, port: grpc}}\n"
        let defaults = try GatewayConfig(yaml: backends, file: "k.yaml", relativeTo: "/etc/portico").kubernetes
        #expect(defaults.watchIdleTimeout == .seconds(90))
        #expect(defaults.listPageSize == 500)
        #expect(defaults.execTimeout == .seconds(30))
        #expect(defaults.watchScope == .namespace)
        let yaml = """
            kubernetes: { kubeconfig: "kube/a:/abs/b:~/c", watchIdleTimeout: 45s, listPageSize: 0, execTimeout: 2m, watchScope: cluster }
            \(backends)
            """
        let config = try GatewayConfig(yaml: yaml, file: "k.yaml", relativeTo: "/etc/portico").kubernetes
        #expect(config.kubeconfig == "/etc/portico/kube/a:/abs/b:~/c")
        #expect(config.watchIdleTimeout == .seconds(45))
        #expect(config.listPageSize == 0)
        #expect(config.execTimeout == .seconds(120))
        #expect(config.watchScope == .cluster)
    }

    @Test(
        "bad kubernetes list, watch and exec values name their key",
        arguments: [
            ("kubernetes: {listPageSize: -1}", "listPageSize"), ("kubernetes: {listPageSize: many}", "listPageSize"),
            ("kubernetes: {watchIdleTimeout: 500ms}", "watchIdleTimeout"), ("kubernetes: {execTimeout: soon}", "execTimeout"),
            ("kubernetes: {watchScope: everywhere}", "watchScope"),
        ])
    func kubernetesTuningErrors(yaml: String, key: String) {
        do {
            _ = try GatewayConfig(
                yaml: yaml + "\nbackends:\n  - {name: a, descriptors: [a.pb], kubernetes: {service: a, port: grpc}}",
                file: "bad.yaml", relativeTo: "/")
            Issue.record("accepted \(yaml)")
        } catch {
            #expect(error.key.hasSuffix(key), "\(error)")
            #expect(error.line == 1, "\(error)")
        }
    }

    @Test("a backend with both endpoints and a Service, or neither, is an error", arguments: [
        "backends:\n  - {name: a, descriptors: [a.pb], endpoints: [\"x:1\"], kubernetes: {service: a, port: grpc}}",
        "backends:\n  - {name: a, descriptors: [a.pb]}",
        "backends:\n  - {name: a, descriptors: [a.pb], kubernetes: {service: a}}",
    ])
    func endpointSourceErrors(yaml: String) {
        #expect(throws: ConfigError.self) { try GatewayConfig(yaml: yaml, file: "bad.yaml", relativeTo: "/") }
    }

    @Test("examples/portico.yaml loads, and its descriptor sets build a route table")
    func exampleConfig() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples/portico.yaml")
        let config = try GatewayConfig.load(file: path.path)
        #expect(config.backends.map(\.name) == ["library", "echo"])
        let runtime = try GatewayRuntime(config: config)
        #expect(runtime.routes.routes.count > 10)
    }

    @Test("the config shipped in manifests/base/configmap.yaml is valid")
    func shippedConfigMap() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("manifests/base/configmap.yaml")
        let manifest = try #require(try Yams.load(yaml: String(contentsOf: path, encoding: .utf8)) as? [String: Any])
        let data = try #require(manifest["data"] as? [String: String])
        let config = try GatewayConfig(yaml: try #require(data["portico.yaml"]), file: "configmap.yaml", relativeTo: "/")
        #expect(config.backends.allSatisfy { $0.kubernetes != nil })
        #expect(config.admin.port == 9901)
    }

    @Test("the config shipped in manifests/discover/configmap.yaml is valid: no backends, every Service exposed")
    func shippedDiscoverConfigMap() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("manifests/discover/configmap.yaml")
        let manifest = try #require(try Yams.load(yaml: String(contentsOf: path, encoding: .utf8)) as? [String: Any])
        let data = try #require(manifest["data"] as? [String: String])
        let config = try GatewayConfig(yaml: try #require(data["portico.yaml"]), file: "configmap.yaml", relativeTo: "/")
        #expect(config.backends.isEmpty)
        #expect(config.exposedServices == GatewayConfig.ExposedServices(scope: .all))
        #expect(config.kubernetes.watchScope == .cluster)
    }

    @Test("kubernetes.discover: `all` or a list of namespaces, a selector, reflection settings")
    func discover() throws {
        let listed = try GatewayConfig(
            yaml: """
                kubernetes:
                  discover:
                    namespaces: [shop, books]
                    selector: team=books
                    reflection: {refreshInterval: 2m}
                """, file: "portico.yaml", relativeTo: "/")
        #expect(listed.exposedServices?.scope == .namespaces(["shop", "books"]))
        #expect(listed.exposedServices?.selector == "team=books")
        #expect(listed.exposedServices?.reflection.refreshInterval == .seconds(120))
        #expect(listed.exposedServices?.reflection.timeout == .seconds(10))
        #expect {
            try GatewayConfig(yaml: "kubernetes:\n  discover: {namespaces: some}", file: "p.yaml", relativeTo: "/")
        } throws: { "\($0)".contains("kubernetes.discover.namespaces") && "\($0)".contains("`all`") }
        #expect {
            try GatewayConfig(yaml: "kubernetes:\n  discover: {selector: a=b}", file: "p.yaml", relativeTo: "/")
        } throws: { "\($0)".contains("needs `namespaces`") }
        #expect {
            try GatewayConfig(yaml: "kubernetes:\n  namespace: shop", file: "p.yaml", relativeTo: "/")
        } throws: { "\($0)".contains("kubernetes.discover") }
    }
}
