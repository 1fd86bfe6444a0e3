import Gateway
import PorticoTestSupport
import Testing

@Suite("Config keys of lifecycle and logging")
struct LifecycleConfigTests {
    static let backends = """
        backends:
          - name: library
            descriptors: [library.pb]
            endpoints: ["127.0.0.1:50051"]
        """

    @Test("without the keys, the documented defaults apply")
    func defaults() throws {
        let config = try GatewayConfig(yaml: Self.backends, file: "portico.yaml", relativeTo: "/etc")
        #expect(config.lifecycle.shutdownDelay == .seconds(5))
        #expect(config.lifecycle.drainTimeout == .seconds(30))
        #expect(config.lifecycle.readyRequiresEndpoints)
        #expect(config.lifecycle.watchInterval == .seconds(2))
        #expect(!config.accessLog)
    }

    @Test("the lifecycle section and accessLog are read")
    func given() throws {
        let yaml = """
            accessLog: true
            lifecycle:
              shutdownDelay: 250ms
              drainTimeout: 1m
              readyRequiresEndpoints: false
              watchInterval: 0s
            \(Self.backends)
            """
        let config = try GatewayConfig(yaml: yaml, file: "portico.yaml", relativeTo: "/etc")
        #expect(config.lifecycle.shutdownDelay == .milliseconds(250))
        #expect(config.lifecycle.drainTimeout == .seconds(60))
        #expect(!config.lifecycle.readyRequiresEndpoints)
        #expect(config.lifecycle.watchInterval == .zero)
        #expect(config.accessLog)
    }

    @Test("an unknown lifecycle key is an error naming it and its line")
    func unknownKey() throws {
        let yaml = "lifecycle:\n  drainTimeot: 5s\n" + Self.backends
        let error = #expect(throws: ConfigError.self) {
            try GatewayConfig(yaml: yaml, file: "portico.yaml", relativeTo: "/etc")
        }
        #expect(error?.key == "lifecycle.drainTimeot")
        #expect(error?.line == 2)
    }
}
