import Foundation
import Synchronization

/// The test Kubernetes API server (`Tests/helpers/kube_api_server.py`) in a child process: HTTPS on
/// 127.0.0.1 with its own CA (HTTP/1.1, or HTTP/2 when ALPN offers it), driven through JSON commands on
/// its stdin.
package final class KubeAPIServer: Sendable {
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    /// The port it listens on (kept across `stop`/`start`).
    package let port: Int
    /// The directory holding `ca.crt`, `other-ca.crt`, `client.crt`, `client.key`.
    package let directory: String
    private let process: Process
    private let input: FileHandle
    private let reader: Mutex<LineReader>

    private struct LineReader: ~Copyable {
        let fd: Int32
        var buffer: [UInt8] = []

        mutating func line() throws -> String {
            while true {
                if let newline = buffer.firstIndex(of: 10) {
                    let line = String(decoding: buffer[..<newline], as: UTF8.self)
                    buffer.removeFirst(newline + 1)
                    return line
                }
                var chunk = [UInt8](repeating: 0, count: 65536)
                let count = read(fd, &chunk, chunk.count)
                guard count > 0 else { throw Failure(description: "the test API server exited") }
                buffer += chunk[..<count]
            }
        }
    }

    /// One request as the server saw it.
    package struct Request: Sendable {
        package var path: String
        package var query: [String: String]
        package var status: Int?
        /// `HTTP/1.1` or `HTTP/2`.
        package var httpVersion: String
        /// Which TCP connection carried it (numbered by the server from 1).
        package var connection: Int
    }

    /// Starts the server; with `http2` it offers h2 and HTTP/1.1 through ALPN, else HTTP/1.1 only.
    package init(http2: Bool = false) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("kube-api-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("helpers/kube_api_server.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, directory] + (http2 ? ["--http2"] : [])
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try ProcessLaunch.run(process)
        self.process = process
        self.input = stdin.fileHandleForWriting
        self.directory = directory
        let fd = stdout.fileHandleForReading.fileDescriptor
        // The server makes its certificates first (seconds on a busy machine): wait on a thread of its own.
        let (hello, buffer) = try await Self.offCooperativePool {
            var reader = LineReader(fd: fd)
            return (try reader.line(), reader.buffer)
        }
        guard let object = try JSONSerialization.jsonObject(with: Data(hello.utf8)) as? [String: Any],
            let port = object["port"] as? Int
        else { throw Failure(description: "bad greeting: \(hello)") }
        self.port = port
        self.reader = Mutex(LineReader(fd: fd, buffer: buffer))
    }

    deinit {
        process.terminate()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs blocking work (reading the server's pipe) on a thread of its own, never on Swift's cooperative
    /// pool, which a test must not block.
    private static func offCooperativePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Sends one command and returns the reply.
    @discardableResult
    package func command(_ command: [String: Any]) async throws -> [String: Any] {
        let data = try JSONSerialization.data(withJSONObject: command)
        let reply = try await Self.offCooperativePool { [self] in try self.send(data) }
        if let error = reply.value["error"] { throw Failure(description: "server: \(error)") }
        return reply.value
    }

    /// A reply, which holds JSON values only.
    private struct Reply: @unchecked Sendable {
        var value: [String: Any]
    }

    private func send(_ data: Data) throws -> Reply {
        try reader.withLock { reader in
            input.write(data + Data("\n".utf8))
            let line = try reader.line()
            guard let reply = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw Failure(description: "bad reply: \(line)")
            }
            return Reply(value: reply)
        }
    }

    /// Creates or replaces an EndpointSlice of `service` with `endpoints`.
    @discardableResult
    package func applySlice(
        _ name: String, service: String, namespace: String = "shop", ports: [String: Int] = ["grpc": 9000],
        endpoints: [TestEndpoint]
    ) async throws -> Int {
        let object = Self.slice(name, service: service, namespace: namespace, ports: ports, endpoints: endpoints)
        return try await command(["op": "apply", "object": object])["resourceVersion"] as? Int ?? 0
    }

    /// An EndpointSlice of `service` with `endpoints`, as `applySlice` and `applyAll` take it.
    package static func slice(
        _ name: String, service: String, namespace: String = "shop", ports: [String: Int] = ["grpc": 9000],
        endpoints: [TestEndpoint]
    ) -> [String: Any] {
        [
            "kind": "EndpointSlice",
            "metadata": [
                "name": name, "namespace": namespace,
                "labels": [
                    "kubernetes.io/service-name": service,
                    "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
                ],
            ],
            "addressType": "IPv4",
            "ports": ports.map { ["name": $0.key, "port": $0.value, "protocol": "TCP"] },
            "endpoints": endpoints.map(\.json),
        ]
    }

    /// A Service with `ports`, as `applyService` and `applyAll` take it.
    package static func service(
        _ name: String, namespace: String = "shop", ports: [(name: String, port: Int)] = [("grpc", 80)],
        annotations: [String: String] = [:]
    ) -> [String: Any] {
        [
            "kind": "Service",
            "metadata": ["name": name, "namespace": namespace, "annotations": annotations],
            "spec": ["ports": ports.map { ["name": $0.name, "port": $0.port, "protocol": "TCP"] }],
        ]
    }

    /// Creates or replaces many objects (`slice(…)`, `service(…)`) in one command, each its own change.
    /// - Returns: the resource version after the last.
    @discardableResult
    package func applyAll(_ objects: [[String: Any]]) async throws -> Int {
        try await command(["op": "applyAll", "objects": objects])["resourceVersion"] as? Int ?? 0
    }

    /// Creates or replaces a Service.
    package func applyService(
        _ name: String, namespace: String = "shop", ports: [(name: String, port: Int)] = [("grpc", 80)],
        annotations: [String: String] = [:]
    ) async throws {
        try await command([
            "op": "apply", "object": Self.service(name, namespace: namespace, ports: ports, annotations: annotations),
        ])
    }

    /// Creates or replaces a legacy Endpoints object.
    package func applyEndpoints(
        _ name: String, namespace: String = "shop", ips: [String], port: (String, Int)
    ) async throws {
        let object: [String: Any] = [
            "kind": "Endpoints",
            "metadata": ["name": name, "namespace": namespace],
            "subsets": [
                ["addresses": ips.map { ["ip": $0] }, "ports": [["name": port.0, "port": port.1]]]
            ],
        ]
        try await command(["op": "apply", "object": object])
    }

    /// Deletes an object; a silent delete sends no event (a change the client missed).
    package func delete(kind: String, _ name: String, namespace: String = "shop", silent: Bool = false) async throws {
        try await command(["op": "delete", "kind": kind, "name": name, "namespace": namespace, "silent": silent])
    }

    /// The requests received so far.
    package func requests() async throws -> [Request] {
        let list = try await command(["op": "requests"])["requests"] as? [[String: Any]] ?? []
        return list.map {
            Request(
                path: $0["path"] as? String ?? "", query: $0["query"] as? [String: String] ?? [:],
                status: $0["status"] as? Int, httpVersion: $0["protocol"] as? String ?? "",
                connection: $0["connection"] as? Int ?? 0)
        }
    }

    /// The resources of the watches open right now.
    package func openWatches() async throws -> [String] {
        try await command(["op": "watches"])["watches"] as? [String] ?? []
    }

    /// One open watch as the server sees it.
    package struct OpenWatch: Hashable, Sendable {
        /// `endpointslices`, `services` or `endpoints`.
        package var resource: String
        /// The namespace watched; nil for a cluster-wide watch.
        package var namespace: String?
        package var labelSelector: String?
        package var fieldSelector: String?

        package init(
            resource: String, namespace: String?, labelSelector: String? = nil, fieldSelector: String? = nil
        ) {
            self.resource = resource
            self.namespace = namespace
            self.labelSelector = labelSelector
            self.fieldSelector = fieldSelector
        }
    }

    /// The watches open right now, with their namespaces and selectors.
    package func openWatchDetails() async throws -> [OpenWatch] {
        let details = try await command(["op": "watches"])["details"] as? [[String: Any]] ?? []
        return details.map {
            OpenWatch(
                resource: $0["resource"] as? String ?? "", namespace: $0["namespace"] as? String,
                labelSelector: $0["labelSelector"] as? String, fieldSelector: $0["fieldSelector"] as? String)
        }
    }

    /// Writes a kubeconfig for this server and returns its path. `user`, when given, is the user's mapping
    /// in YAML, indented by four spaces, instead of the token and certificate lines.
    package func kubeconfig(
        token: String? = "initial-token", clientCertificate: Bool = false, caFile: String = "ca.crt",
        inlineData: Bool = false, namespace: String = "shop", user userFields: String? = nil
    ) throws -> String {
        func base64(_ file: String) throws -> String {
            try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(file)")).base64EncodedString()
        }
        var user = ""
        if let token { user += "    token: \(token)\n" }
        if clientCertificate {
            user +=
                inlineData
                ? "    client-certificate-data: \(try base64("client.crt"))\n    client-key-data: \(try base64("client.key"))\n"
                : "    client-certificate: client.crt\n    client-key: client.key\n"
        }
        if let userFields { user = userFields }
        let ca = inlineData ? "certificate-authority-data: \(try base64(caFile))" : "certificate-authority: \(caFile)"
        let text = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: decoy
              cluster: {server: "https://127.0.0.1:1", certificate-authority: ca.crt}
            - name: test
              cluster:
                server: https://127.0.0.1:\(port)
                \(ca)
            users:
            - name: tester
              user:
            \(user.isEmpty ? "    {}\n" : user)contexts:
            - name: decoy
              context: {cluster: decoy, user: tester}
            - name: test
              context: {cluster: test, user: tester, namespace: \(namespace)}
            current-context: test

            """
        let path = "\(directory)/kubeconfig-\(UUID().uuidString).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// One endpoint of a test EndpointSlice.
package struct TestEndpoint {
    package var ip: String
    package var ready: Bool = true
    package var serving: Bool = true
    package var terminating: Bool = false
    package var pod: String? = nil
    package var node: String? = nil
    package var zone: String? = nil

    package init(
        ip: String, ready: Bool = true, serving: Bool = true, terminating: Bool = false, pod: String? = nil,
        node: String? = nil, zone: String? = nil
    ) {
        self.ip = ip
        self.ready = ready
        self.serving = serving
        self.terminating = terminating
        self.pod = pod
        self.node = node
        self.zone = zone
    }

    package var json: [String: Any] {
        var object: [String: Any] = [
            "addresses": [ip],
            "conditions": ["ready": ready, "serving": serving, "terminating": terminating],
        ]
        if let pod { object["targetRef"] = ["kind": "Pod", "name": pod, "namespace": "shop"] }
        if let node { object["nodeName"] = node }
        if let zone { object["zone"] = zone }
        return object
    }
}
