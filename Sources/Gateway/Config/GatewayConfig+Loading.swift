import Balancer
import Discovery
import Foundation
import Yams

extension GatewayConfig {
    /// Reads and checks a config file; relative descriptor paths are resolved against the file's folder.
    ///
    /// - Throws: `ConfigError` naming the file, the key and the line of the first problem.
    public static func load(file path: String) throws(ConfigError) -> GatewayConfig {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, key: "", message: "cannot read the file (\(error.localizedDescription))")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try GatewayConfig(yaml: text, file: path, relativeTo: folder)
    }

    /// Parses a config from YAML text.
    ///
    /// - Parameters:
    ///   - yaml: The YAML document.
    ///   - file: The name used in error messages.
    ///   - folder: The folder that relative descriptor paths are resolved against.
    public init(yaml: String, file: String, relativeTo folder: String) throws(ConfigError) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ConfigError(file: file, key: "", line: Self.line(of: error), message: "invalid YAML: \(error)")
        } catch {
            throw ConfigError(file: file, key: "", message: "invalid YAML: \(error)")
        }
        guard let root else { throw ConfigError(file: file, key: "", message: "the file is empty") }
        let top = try ConfigNode(node: root, key: "", file: file).mapping(allowed: [
            "listen", "admin", "eventLoops", "maxRequestBytes", "maxResponseBytes", "maxHeaderBytes", "maxHeaderCount", "maxJSONDepth", "idleTimeout", "requestHeaderTimeout", "requestBodyTimeout",
            "maxConcurrentStreams", "streamBufferBytes", "json", "backends", "kubernetes", "lifecycle", "accessLog",
            "metrics",
        ])
        self.init()
        if let node = top["listen"] { listen = try node.address() }
        if let node = top["admin"] { admin = try node.address() }
        if let node = top["eventLoops"] { eventLoops = try node.int(in: 0...1024) }
        if let node = top["maxRequestBytes"] { limits.maxRequestBytes = try node.int(in: 1...(1 << 30)) }
        if let node = top["maxResponseBytes"] { limits.maxResponseBytes = try node.int(in: 1...(1 << 30)) }
        if let node = top["maxHeaderBytes"] { limits.maxHeaderBytes = try node.int(in: 1024...(1 << 20)) }
        if let node = top["maxHeaderCount"] { limits.maxHeaderCount = try node.int(in: 1...10_000) }
        if let node = top["maxJSONDepth"] { limits.maxJSONDepth = try node.int(in: 1...1000) }
        if let node = top["idleTimeout"] { limits.idleTimeout = try node.positiveDuration() }
        if let node = top["requestHeaderTimeout"] { limits.requestHeaderTimeout = try node.positiveDuration() }
        if let node = top["requestBodyTimeout"] { limits.requestBodyTimeout = try node.positiveDuration() }
        if let node = top["maxConcurrentStreams"] { limits.maxConcurrentStreams = try node.int(in: 1...100_000) }
        if let node = top["streamBufferBytes"] { limits.streamBufferBytes = try node.int(in: 4096...(64 << 20)) }
        if let node = top["json"] { json = try Self.jsonOptions(node) }
        if let node = top["kubernetes"] {
            kubernetes = try Self.kubernetesConfig(node, relativeTo: folder)
            exposedServices = try node.mapping(allowed: Self.kubernetesKeys)["discover"].map(Self.exposedServices)
        }
        if let node = top["lifecycle"] { lifecycle = try Self.lifecycle(node) }
        if let node = top["accessLog"] { accessLog = try node.bool() }
        if let node = top["metrics"] {
            let keys = try node.mapping(allowed: ["initializeMethods"])
            if let key = keys["initializeMethods"] { metrics.initializeMethods = try key.bool() }
        }
        guard let backendsNode = top["backends"] else {
            guard exposedServices == nil else { return }
            throw ConfigError(
                file: file, key: "backends",
                message: "at least one backend is required (or `kubernetes.discover` to serve annotated Services)")
        }
        var backends: [Backend] = []
        for item in try backendsNode.sequence() {
            let backend = try Self.backend(item, relativeTo: folder, json: json)
            if backends.contains(where: { $0.name == backend.name }) {
                throw item.error("two backends are named \(backend.name)")
            }
            backends.append(backend)
        }
        guard !backends.isEmpty || exposedServices != nil else {
            throw backendsNode.error("at least one backend is required")
        }
        self.backends = backends
    }

    /// The `json` section's options, starting from `base` (the gateway's, for a backend's own section).
    private static func jsonOptions(_ node: ConfigNode, base: JSONOptions = .defaults) throws(ConfigError)
        -> JSONOptions
    {
        let keys = try node.mapping(allowed: [
            "emitUnpopulated", "useProtoNames", "enumsAsInts", "int64AsNumbers", "indent", "discardUnknownFields",
        ])
        var options = base
        if let key = keys["emitUnpopulated"] { options.emitUnpopulated = try key.bool() }
        if let key = keys["useProtoNames"] { options.useProtoNames = try key.bool() }
        if let key = keys["enumsAsInts"] { options.enumsAsInts = try key.bool() }
        if let key = keys["int64AsNumbers"] { options.int64AsNumbers = try key.bool() }
        if let key = keys["indent"] { options.indent = try key.int(in: 0...8) }
        if let key = keys["discardUnknownFields"] { options.discardUnknownFields = try key.bool() }
        return options
    }

    /// The keys of the `kubernetes` section.
    private static let kubernetesKeys: Set<String> = [
        "kubeconfig", "context", "namespace", "watchTimeout", "watchIdleTimeout", "listPageSize", "execTimeout",
        "legacyEndpoints", "watchScope", "discover",
    ]

    private static func kubernetesConfig(_ node: ConfigNode, relativeTo folder: String) throws(ConfigError) -> KubernetesConfig {
        let keys = try node.mapping(allowed: kubernetesKeys)
        var config = KubernetesConfig.defaults
        if let key = keys["kubeconfig"] {
            // One file or several separated by `:`, as in KUBECONFIG; each relative to the config file.
            config.kubeconfig = try key.string().split(separator: ":").map { path in
                path.hasPrefix("/") || path.hasPrefix("~") ? String(path) : URL(fileURLWithPath: folder).appendingPathComponent(String(path)).path
            }.joined(separator: ":")
        }
        if let key = keys["context"] { config.context = try key.string() }
        if let key = keys["namespace"] { config.namespace = try key.string() }
        if let key = keys["watchTimeout"] { config.watchTimeout = try key.positiveDuration() }
        if let key = keys["watchIdleTimeout"] {
            config.watchIdleTimeout = try key.duration()
            guard config.watchIdleTimeout >= .seconds(1) else { throw key.error("must be at least 1s") }
        }
        if let key = keys["listPageSize"] { config.listPageSize = try key.int(in: 0...100_000) }
        if let key = keys["execTimeout"] { config.execTimeout = try key.positiveDuration() }
        if let key = keys["legacyEndpoints"] { config.legacyEndpoints = try key.bool() }
        if let key = keys["watchScope"] {
            guard let scope = KubernetesConfig.WatchScope(try key.string()) else {
                throw key.error("must be `namespace` or `cluster`")
            }
            config.watchScope = scope
        }
        return config
    }

    private static func serviceRef(_ node: ConfigNode) throws(ConfigError) -> KubernetesServiceRef {
        let keys = try node.mapping(allowed: ["service", "namespace", "port"])
        guard let service = try keys["service"]?.string(), !service.isEmpty else {
            throw node.error("`kubernetes` needs the Service's name in `service`")
        }
        guard let portNode = keys["port"] else { throw node.error("`kubernetes` needs the Service `port` (a name or a number)") }
        let portText = try portNode.string()
        let port: KubernetesServiceRef.PortRef = Int(portText).map { .number($0) } ?? .name(portText)
        return KubernetesServiceRef(service: service, namespace: try keys["namespace"]?.string(), port: port)
    }

    private static func backend(_ node: ConfigNode, relativeTo folder: String, json: JSONOptions) throws(ConfigError)
        -> Backend
    {
        let keys = try node.mapping(allowed: [
            "name", "descriptors", "services", "endpoints", "kubernetes", "balancer", "timeout", "connectTimeout",
            "balancing", "json", "reflection",
        ])
        guard let name = try keys["name"]?.string(), !name.isEmpty else {
            throw node.error("a backend needs a name")
        }
        let reflection = try keys["reflection"].flatMap(Self.reflection)
        guard let descriptorsNode = keys["descriptors"] ?? (reflection == nil ? nil : keys["reflection"]) else {
            throw node.error(
                "backend \(name) needs `descriptors` (FileDescriptorSet files) or `reflection: true` (its pods "
                    + "serve gRPC server reflection)")
        }
        let descriptorFiles = try keys["descriptors"].map { node throws(ConfigError) in
            try node.strings().map { path in
                path.hasPrefix("/") ? path : URL(fileURLWithPath: folder).appendingPathComponent(path).path
            }
        } ?? []
        guard !descriptorFiles.isEmpty || reflection != nil else {
            throw descriptorsNode.error("list at least one descriptor set")
        }
        var endpoints: [SocketAddressText] = []
        if let endpointsNode = keys["endpoints"] {
            for item in try endpointsNode.sequence() { endpoints.append(try item.address()) }
        }
        let kubernetes = try keys["kubernetes"].map(Self.serviceRef)
        switch (keys["endpoints"], kubernetes) {
        case (nil, nil):
            throw node.error(
                "backend \(name) says nowhere its pods are: give `endpoints` (host:port of each pod) or `kubernetes` "
                    + "(a Service: {service: NAME, port: PORT})")
        case (let endpointsNode?, _?):
            throw endpointsNode.error(
                "backend \(name) has both `endpoints` and `kubernetes`: keep one (static pods, or a Service's)")
        default:
            break
        }
        var backend = Backend(
            name: name, descriptorFiles: descriptorFiles, endpoints: endpoints, kubernetes: kubernetes,
            reflection: reflection)
        backend.descriptorsLocation = ConfigLocation(file: descriptorsNode.file, line: descriptorsNode.line)
        if let key = keys["services"] { backend.services = try key.strings() }
        if let key = keys["balancer"] {
            let text = try key.string()
            guard let strategy = BalancingStrategy(rawValue: text) else {
                let known = BalancingStrategy.allCases.map(\.rawValue).joined(separator: ", ")
                throw key.error("unknown balancer \(text) (available: \(known))")
            }
            backend.balancer = strategy
        }
        if let key = keys["timeout"] { backend.timeout = try key.positiveDuration() }
        if let key = keys["connectTimeout"] { backend.connectTimeout = try key.positiveDuration() }
        if let key = keys["balancing"] { backend.balancing = try Balancing(key) }
        if let section = keys["json"] { backend.json = try Self.jsonOptions(section, base: json) }
        return backend
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }
}
