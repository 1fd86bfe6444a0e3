import Foundation
import Testing

@testable import Gateway

/// The compiled test schema (Resources/transcoding_test.proto) and helpers to run the transcoders on it.
enum TranscodingFixtures {
    static func resource(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Resources"))
        return Array(try Data(contentsOf: url))
    }

    /// The descriptor pool of transcoding_test.pb, loaded once.
    static let pool: DescriptorPool = {
        let bytes = try! resource("transcoding_test.pb")
        return try! DescriptorPool(descriptorSets: [(source: "transcoding_test.pb", bytes: bytes)])
    }()

    /// A method taking and returning `typeName`, for transcoding any message of the schema.
    static func method(for typeName: String) -> MethodDescriptor {
        method(for: pool.message(named: typeName)!)
    }

    /// A method taking and returning `schema` (of any pool).
    static func method(for schema: MessageSchema) -> MethodDescriptor {
        MethodDescriptor(
            name: "Test",
            fullName: "test.Test.Test",
            grpcPath: "/test.Test/Test",
            input: schema,
            output: schema,
            isClientStreaming: false,
            isServerStreaming: false,
            httpBindings: []
        )
    }

    /// The method `name` of `portico.test.Library`.
    static func libraryMethod(_ name: String) -> MethodDescriptor {
        pool.service(named: "portico.test.Library")!.methods.first { $0.name == name }!
    }

    /// JSON body → wire bytes with body `*`.
    static func encode(
        _ json: String,
        as typeName: String,
        options: TranscodingOptions = .defaults
    ) throws(TranscodingError) -> [UInt8] {
        try encode(json, method: method(for: typeName), binding: nil, options: options)
    }

    static func encode(
        _ json: String,
        method: MethodDescriptor,
        binding: HTTPBinding?,
        pathVariables: [(fieldPath: [String], value: String)] = [],
        query: Substring? = nil,
        options: TranscodingOptions = .defaults
    ) throws(TranscodingError) -> [UInt8] {
        let transcoder = RequestTranscoder(method: method, binding: binding, options: options)
        var output: [UInt8] = []
        let body = Array(json.utf8)
        var failure: TranscodingError?
        body.withUnsafeBytes { buffer in
            do throws(TranscodingError) {
                try transcoder.encodeRequest(body: buffer, pathVariables: pathVariables, query: query, into: &output)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return output
    }

    /// Wire bytes → JSON text.
    static func decode(
        _ wire: [UInt8],
        as typeName: String,
        options: TranscodingOptions = .defaults
    ) throws(TranscodingError) -> String {
        try decode(wire, method: method(for: typeName), binding: nil, options: options)
    }

    static func decode(
        _ wire: [UInt8],
        method: MethodDescriptor,
        binding: HTTPBinding?,
        options: TranscodingOptions = .defaults
    ) throws(TranscodingError) -> String {
        let transcoder = ResponseTranscoder(method: method, binding: binding, options: options)
        var output: [UInt8] = []
        var failure: TranscodingError?
        wire.withUnsafeBytes { buffer in
            do throws(TranscodingError) {
                try transcoder.encodeJSON(message: buffer, into: &output)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return String(decoding: output, as: UTF8.self)
    }

    /// Parses JSON text (Foundation is fine in tests) for order-insensitive comparison.
    static func parse(_ json: String) throws -> NSObject {
        try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]) as! NSObject
    }

    /// Whether two JSON texts denote the same value (object member order ignored; numbers compared as
    /// numbers), optionally ignoring members whose value is null. Numbers under a key naming a float field
    /// (`fFloat`, `r_float`, `floatValue`, ...) are compared as 32-bit floats, since "1e-45" and "1.4013e-45"
    /// are both shortest round-trip spellings of the same float.
    static func sameJSON(_ left: String, _ right: String, ignoringNulls: Bool = false) throws -> Bool {
        let leftValue = normalized(try parse(left), ignoringNulls: ignoringNulls, isFloat: false)
        let rightValue = normalized(try parse(right), ignoringNulls: ignoringNulls, isFloat: false)
        return leftValue.isEqual(rightValue)
    }

    private static func normalized(_ value: NSObject, ignoringNulls: Bool, isFloat: Bool) -> NSObject {
        if let dictionary = value as? [String: Any] {
            var result: [String: Any] = [:]
            for (key, member) in dictionary where !(ignoringNulls && member is NSNull) {
                let floatKey = key.lowercased().contains("float")
                result[key] = normalized(member as! NSObject, ignoringNulls: ignoringNulls, isFloat: floatKey)
            }
            return result as NSDictionary
        }
        if let array = value as? [Any] {
            return array.map { normalized($0 as! NSObject, ignoringNulls: ignoringNulls, isFloat: isFloat) } as NSArray
        }
        if isFloat, let number = value as? NSNumber, !(value is NSString) {
            return NSNumber(value: Float(number.doubleValue))
        }
        return value
    }

    static func base64(_ text: String) -> [UInt8] {
        Array(Data(base64Encoded: text)!)
    }
}
