import DemoServices
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SwiftProtobuf
import Testing

/// Checks the README's curl commands against the demo's HTTP rules and seed data: each command is matched
/// to a route of the shipped descriptor sets, transcoded the way a grpc-gateway-style gateway would (body,
/// then path variables, then query parameters, with proto3 JSON names), and sent to real backends in order.
@Suite("DemoCurlCommands")
struct DemoCurlCommandsTests {
    /// A parsed curl command line.
    struct CurlCommand {
        var verb: String
        var url: URLComponents
        var body: String?
    }

    /// A route resolved for a command: the binding and its path variables.
    struct Match {
        var route: DemoRoute
        var variables: [(field: String, value: String)]
    }

    /// Input messages of the demo's methods, by method name.
    static let inputTypes: [String: any SwiftProtobuf.Message.Type] = [
        "ListShelves": Portico_Demo_Library_V1_ListShelvesRequest.self,
        "CreateShelf": Portico_Demo_Library_V1_CreateShelfRequest.self,
        "GetShelf": Portico_Demo_Library_V1_GetShelfRequest.self,
        "DeleteShelf": Portico_Demo_Library_V1_DeleteShelfRequest.self,
        "ListBooks": Portico_Demo_Library_V1_ListBooksRequest.self,
        "CreateBook": Portico_Demo_Library_V1_CreateBookRequest.self,
        "GetBook": Portico_Demo_Library_V1_GetBookRequest.self,
        "UpdateBook": Portico_Demo_Library_V1_UpdateBookRequest.self,
        "DeleteBook": Portico_Demo_Library_V1_DeleteBookRequest.self,
        "CheckoutBook": Portico_Demo_Library_V1_CheckoutBookRequest.self,
        "MoveBook": Portico_Demo_Library_V1_MoveBookRequest.self,
        "Echo": Portico_Demo_Echo_V1_EchoRequest.self,
        "Expand": Portico_Demo_Echo_V1_ExpandRequest.self,
    ]

    @Test("Every HTTP rule of the demo is exercised by a command")
    func coverage() throws {
        let routes = try DemoRoute.routes(.library) + DemoRoute.routes(.echo)
        let used = try DemoCurlCommands.all.map { try Self.match(Self.parse($0), in: routes).route }
        let bound = routes.filter { !$0.template.hasPrefix("/portico.") || $0.method == "MoveBook" }
        #expect(Set(bound).subtracting(used).isEmpty, "unused: \(Set(bound).subtracting(used))")
    }

    @Test("Run in order against seeded backends, the commands succeed, except the two that show errors")
    func runAgainstBackends() async throws {
        let routes = try DemoRoute.routes(.library) + DemoRoute.routes(.echo)
        try await withBackend(.library) { library in
            try await withBackend(.echo) { echo in
                try await withClient(to: library) { libraryClient in
                    try await withClient(to: echo) { echoClient in
                        for command in DemoCurlCommands.all {
                            let curl = try Self.parse(command)
                            let match = try Self.match(curl, in: routes)
                            let request = try Self.transcode(curl, match)
                            let client = match.route.service.contains(".library.") ? libraryClient : echoClient
                            let code = try await Self.call(client, match.route, request)
                            let expected: RPCError.Code? =
                                command.contains("/missing") || command.contains("failCode") ? .notFound : nil
                            #expect(code == expected, "\(command)")
                        }
                    }
                }
            }
        }
    }

    @Test("The commands use the gateway at the given base URL")
    func baseURL() {
        let commands = DemoCurlCommands.commands(baseURL: "http://localhost:9999")
        #expect(commands.count == DemoCurlCommands.all.count)
        #expect(commands.allSatisfy { $0.contains("http://localhost:9999/") && !$0.contains("8080") })
    }

    /// Splits a shell command on spaces, honouring single quotes, and reads curl's options.
    static func parse(_ command: String) throws -> CurlCommand {
        var words: [String] = []
        var word = ""
        var quoted = false
        for character in command {
            if character == "'" {
                quoted.toggle()
            } else if character == " " && !quoted {
                if !word.isEmpty { words.append(word) }
                word = ""
            } else {
                word.append(character)
            }
        }
        words.append(word)
        #expect(words.first == "curl" && !quoted)

        var verb: String?
        var body: String?
        var url: URLComponents?
        var index = 1
        while index < words.count {
            switch words[index] {
            case "-X": verb = words[index + 1]; index += 1
            case "-d": body = words[index + 1]; index += 1
            case "-H": index += 1
            case "-s", "-i", "-N": break
            case let argument: url = URLComponents(string: argument)
            }
            index += 1
        }
        let components = try #require(url, "no URL in \(command)")
        return CurlCommand(verb: verb ?? (body == nil ? "GET" : "POST"), url: components, body: body)
    }

    /// The route whose verb and path template match the command.
    static func match(_ curl: CurlCommand, in routes: [DemoRoute]) throws -> Match {
        for route in routes where route.verb == curl.verb {
            let (pattern, fields) = Self.regex(for: route.template)
            let regex = try Regex(pattern)
            if let found = try regex.wholeMatch(in: curl.url.path) {
                let values = (1..<found.count).map { String(found[$0].substring ?? "") }
                return Match(route: route, variables: Array(zip(fields, values)))
            }
        }
        throw RPCError(code: .notFound, message: "no route for \(curl.verb) \(curl.url.path)")
    }

    /// A regular expression for a path template, and the field paths of its variables in order.
    static func regex(for template: String) -> (pattern: String, fields: [String]) {
        var pattern = ""
        var fields: [String] = []
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{"), let close = rest.firstIndex(of: "}") {
            pattern += NSRegularExpression.escapedPattern(for: String(rest[..<open]))
            let variable = rest[rest.index(after: open)..<close]
            let parts = variable.split(separator: "=", maxSplits: 1)
            fields.append(String(parts[0]))
            let segments = parts.count == 2 ? String(parts[1]) : "*"
            pattern +=
                "("
                + segments.split(separator: "/").map { $0 == "*" ? "[^/]+" : String($0) }
                .joined(separator: "/") + ")"
            rest = rest[rest.index(after: close)...]
        }
        return (pattern + NSRegularExpression.escapedPattern(for: String(rest)), fields)
    }

    /// The request message the command stands for, in wire format.
    static func transcode(_ curl: CurlCommand, _ match: Match) throws -> [UInt8] {
        var root: [String: Any] = [:]
        if let body = curl.body {
            let json = try JSONSerialization.jsonObject(with: Data(body.utf8))
            if match.route.body == "*" {
                root = try #require(json as? [String: Any])
            } else {
                #expect(!match.route.body.isEmpty, "a body for a route without one")
                root[Self.jsonName(match.route.body)] = json
            }
        }
        for (field, value) in match.variables {
            Self.set(&root, path: field.split(separator: ".").map { Self.jsonName(String($0)) }, value: value)
        }
        for item in curl.url.queryItems ?? [] {
            let value: Any = Int(item.value ?? "").map { $0 as Any } ?? (item.value ?? "")
            Self.set(&root, path: item.name.split(separator: ".").map { Self.jsonName(String($0)) }, value: value)
        }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: root), as: UTF8.self)
        let type = try #require(Self.inputTypes[match.route.method])
        // Unknown JSON names fail here, which is the point.
        return try type.init(jsonString: json).serializedBytes()
    }

    static func jsonName(_ protoName: String) -> String {
        let parts = protoName.split(separator: "_")
        return ([String(parts[0])] + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }).joined()
    }

    static func set(_ object: inout [String: Any], path: [String], value: Any) {
        guard let first = path.first else { return }
        if path.count == 1 {
            object[first] = value
        } else {
            var child = object[first] as? [String: Any] ?? [:]
            Self.set(&child, path: Array(path.dropFirst()), value: value)
            object[first] = child
        }
    }

    /// Calls the route's method with raw protobuf bytes; returns the error code, or nil for OK.
    static func call(
        _ client: GRPCClient<HTTP2ClientTransport.Posix>,
        _ route: DemoRoute,
        _ request: [UInt8]
    ) async throws -> RPCError.Code? {
        let descriptor = MethodDescriptor(fullyQualifiedService: route.service, method: route.method)
        return try await rpcErrorCode {
            try await client.serverStreaming(
                request: ClientRequest(message: request),
                descriptor: descriptor,
                serializer: RawBytes(),
                deserializer: RawBytes(),
                options: .defaults
            ) { response in
                for try await _ in response.messages {}
            }
        }
    }

    /// Passes protobuf bytes through unchanged.
    struct RawBytes: MessageSerializer, MessageDeserializer {
        func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes {
            Bytes(message)
        }

        func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
            serializedMessageBytes.withUnsafeBytes { Array($0) }
        }
    }
}
