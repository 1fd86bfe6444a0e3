import Foundation
import Synchronization

/// The test Kubernetes API server (`Tests/helpers/kube_api_server.py`) in a child process: HTTPS on
/// 127.0.0.1 with its own CA, driven through JSON commands on its stdin.
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

    package init() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("kube-api-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("helpers/kube_api_server.py").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, directory]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try ProcessLaunch.run(process)
        self.process = process
        self.input = stdin.fileHandleForWriting
        self.directory = directory
        var reader = LineReader(fd: stdout.fileHandleForReading.fileDescriptor)
        let hello = try reader.line()
        guard let object = try JSONSerialization.jsonObject(with: Data(hello.utf8)) as? [String: Any],
            let port = object["port"] as? Int
        else { throw Failure(description: "bad greeting: \(hello)") }
        self.port = port
        self.reader = Mutex(reader)
    }

    deinit {
        process.terminate()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Sends one command and returns the reply.
    @discardableResult
    package func command(_ command: [String: Any]) throws -> [String: Any] {
        let data = try JSONSerialization.data(withJSONObject: command)
        return try reader.withLock { reader in
            input.write(data + Data("\n".utf8))
            let line = try reader.line()
            guard let reply = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw Failure(description: "bad reply: \(line)")
            }
            if let error = reply["error"] { throw Failure(description: "server: \(error)") }
            return reply
        }
    }

    /// Creates or replaces an EndpointSlice of `service` with `endpoints`.
    @discardableResult
    package func applySlice(
        _ name: String, service: String, namespace: String = "shop", ports: [String: Int] = ["grpc": 9000],
        endpoints: [TestEndpoint]
    ) throws -> Int {
        let object: [String: Any] = [
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
        return try command(["op": "apply", "object": object])["resourceVersion"] as? Int ?? 0
    }

    /// Creates or replaces a Service.
    package func applyService(
        _ name: String, namespace: String = "shop", ports: [(name: String, port: Int)] = [("grpc", 80)],
        annotations: [String: String] = [:]
    ) throws {
        let object: [String: Any] = [
            "kind": "Service",
            "metadata": ["name": name, "namespace": namespace, "annotations": annotations],
            "spec": ["ports": ports.map { ["name": $0.name, "port": $0.port, "protocol": "TCP"] }],
        ]
        try command(["op": "apply", "object": object])
    }

    /// Creates or replaces a legacy Endpoints object.
    package func applyEndpoints(_ name: String, namespace: String = "shop", ips: [String], port: (String, Int)) throws {
        let object: [String: Any] = [
            "kind": "Endpoints",
            "metadata": ["name": name, "namespace": namespace],
            "subsets": [
                ["addresses": ips.map { ["ip": $0] }, "ports": [["name": port.0, "port": port.1]]]
            ],
        ]
        try command(["op": "apply", "object": object])
    }

    /// Deletes an object; a silent delete sends no event (a change the client missed).
    package func delete(kind: String, _ name: String, namespace: String = "shop", silent: Bool = false) throws {
        try command(["op": "delete", "kind": kind, "name": name, "namespace": namespace, "silent": silent])
    }

    /// The requests received so far: path, query and status.
    package func requests() throws -> [(path: String, query: [String: String], status: Int?)] {
        let list = try command(["op": "requests"])["requests"] as? [[String: Any]] ?? []
        return list.map {
            ($0["path"] as? String ?? "", $0["query"] as? [String: String] ?? [:], $0["status"] as? Int)
        }
    }

    /// The resources of the watches open right now.
    package func openWatches() throws -> [String] {
        try command(["op": "watches"])["watches"] as? [String] ?? []
    }

    /// Writes a kubeconfig for this server and returns its path.
    package func kubeconfig(
        token: String? = "initial-token", clientCertificate: Bool = false, caFile: String = "ca.crt",
        inlineData: Bool = false, namespace: String = "shop"
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
