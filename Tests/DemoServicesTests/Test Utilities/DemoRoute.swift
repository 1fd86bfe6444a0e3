import DemoServices
import Gateway
import Foundation
import SwiftProtobuf

/// One HTTP binding of a demo method, read from the demo's descriptor set.
struct DemoRoute: Hashable, Sendable, CustomStringConvertible {
    /// "GET", "POST", …
    var verb: String
    /// The path template, e.g. "/v1/{name=shelves/*}".
    var template: String
    /// The HTTP rule's body: "", "*" or a field name.
    var body: String
    /// The fully qualified service name.
    var service: String
    /// The method name.
    var method: String

    var description: String { "\(self.verb) \(self.template) body=\"\(self.body)\" → \(self.service)/\(self.method)" }

    /// The descriptor set shipped for `kind`, parsed with the google.api.http extension.
    static func descriptorSet(_ kind: DemoBackend.Kind) throws -> Google_Protobuf_FileDescriptorSet {
        let data = try Data(contentsOf: DemoBackend.descriptorSetURL(for: kind))
        return try Google_Protobuf_FileDescriptorSet(
            serializedBytes: data, extensions: Google_Api_Annotations_Extensions)
    }

    /// The demo file of `kind`'s descriptor set.
    static func demoFile(_ kind: DemoBackend.Kind) throws -> Google_Protobuf_FileDescriptorProto? {
        try Self.descriptorSet(kind).file.first { $0.name == "demo/\(kind.rawValue).proto" }
    }

    /// Every binding of `kind`'s methods: their HTTP rules with additional bindings, and for a method without
    /// a rule the gateway's fallback `POST /{service}/{method}` with body "*".
    static func routes(_ kind: DemoBackend.Kind) throws -> [DemoRoute] {
        guard let file = try Self.demoFile(kind) else {
            return []
        }
        var routes: [DemoRoute] = []
        for service in file.service {
            let serviceName = "\(file.package).\(service.name)"
            for method in service.method {
                guard method.options.hasGoogle_Api_http else {
                    routes.append(
                        DemoRoute(
                            verb: "POST",
                            template: "/\(serviceName)/\(method.name)",
                            body: "*",
                            service: serviceName,
                            method: method.name
                        )
                    )
                    continue
                }
                let rule = method.options.Google_Api_http
                for binding in [rule] + rule.additionalBindings {
                    let (verb, template) = Self.pattern(of: binding)
                    routes.append(
                        DemoRoute(
                            verb: verb,
                            template: template,
                            body: binding.body,
                            service: serviceName,
                            method: method.name
                        )
                    )
                }
            }
        }
        return routes
    }

    private static func pattern(of rule: Google_Api_HttpRule) -> (verb: String, template: String) {
        switch rule.pattern {
        case .get(let path): ("GET", path)
        case .put(let path): ("PUT", path)
        case .post(let path): ("POST", path)
        case .delete(let path): ("DELETE", path)
        case .patch(let path): ("PATCH", path)
        case .custom(let custom): (custom.kind, custom.path)
        case nil: ("", "")
        }
    }
}
