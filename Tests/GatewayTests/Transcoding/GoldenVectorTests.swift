import Foundation
import Testing

@testable import Gateway

/// Checks the transcoders against vectors made by Python's protobuf runtime (Resources/make_golden.py).
@Suite("Golden vectors from Python protobuf")
struct GoldenVectorTests {
    struct DecodeVector: Decodable, CustomTestStringConvertible, Sendable {
        var name: String
        var type: String
        var wire: String
        var json: JSONText
        var protoNames: JSONText
        var unpopulated: JSONText
        var testDescription: String { name }
    }

    struct EncodeVector: Decodable, CustomTestStringConvertible, Sendable {
        var name: String
        var type: String
        var input: String
        var wire: String
        var testDescription: String { name }
    }

    struct RejectVector: Decodable, CustomTestStringConvertible, Sendable {
        var name: String
        var type: String
        var input: String
        var testDescription: String { name }
    }

    /// A JSON value kept as its text.
    struct JSONText: Decodable, Sendable {
        var text: String
        init(from decoder: any Decoder) throws {
            let value = try decoder.singleValueContainer().decode(AnyJSON.self)
            text = String(
                decoding: try JSONSerialization.data(withJSONObject: value.object, options: [.fragmentsAllowed]),
                as: UTF8.self)
        }
    }

    struct AnyJSON: Decodable {
        var object: Any
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                object = NSNull()
            } else if let value = try? container.decode(Bool.self) {
                object = value
            } else if let value = try? container.decode(Double.self) {
                object = value
            } else if let value = try? container.decode(String.self) {
                object = value
            } else if let value = try? container.decode([AnyJSON].self) {
                object = value.map(\.object)
            } else {
                object = try container.decode([String: AnyJSON].self).mapValues(\.object)
            }
        }
    }

    struct Golden: Decodable {
        var decode: [DecodeVector]
        var encode: [EncodeVector]
        var reject: [RejectVector]
    }

    static let golden: Golden = {
        let bytes = try! TranscodingFixtures.resource("golden.json")
        return try! JSONDecoder().decode(Golden.self, from: Data(bytes))
    }()

    @Test("wire bytes print as the JSON Python prints", arguments: golden.decode)
    func decodesLikePython(vector: DecodeVector) throws {
        let wire = TranscodingFixtures.base64(vector.wire)
        let json = try TranscodingFixtures.decode(wire, as: vector.type)
        #expect(try TranscodingFixtures.sameJSON(json, vector.json.text), "\(json)\n!=\n\(vector.json.text)")

        let protoNames = try TranscodingFixtures.decode(wire, as: vector.type, options: .init(useProtoNames: true))
        #expect(try TranscodingFixtures.sameJSON(protoNames, vector.protoNames.text), "\(protoNames)")

        // Python prints no null for unset messages; Portico does (grpc-gateway), so nulls are ignored here.
        let unpopulated = try TranscodingFixtures.decode(wire, as: vector.type, options: .init(emitUnpopulated: true))
        #expect(
            try TranscodingFixtures.sameJSON(unpopulated, vector.unpopulated.text, ignoringNulls: true),
            "\(unpopulated)\n!=\n\(vector.unpopulated.text)"
        )
    }

    @Test("JSON encodes to a message equal to the one Python parses", arguments: golden.encode)
    func encodesLikePython(vector: EncodeVector) throws {
        // make_golden.py parses with ignore_unknown_fields=True: the same leniency as discardUnknownFields.
        let ours = try TranscodingFixtures.encode(
            vector.input, as: vector.type, options: .init(discardUnknownFields: true))
        let theirs = TranscodingFixtures.base64(vector.wire)
        // Both encodings printed by the (separately verified) decoder must agree.
        let oursJSON = try TranscodingFixtures.decode(ours, as: vector.type)
        let theirsJSON = try TranscodingFixtures.decode(theirs, as: vector.type)
        #expect(try TranscodingFixtures.sameJSON(oursJSON, theirsJSON), "\(oursJSON)\n!=\n\(theirsJSON)")
    }

    @Test("JSON that Python rejects is rejected", arguments: golden.reject)
    func rejectsLikePython(vector: RejectVector) {
        #expect(throws: TranscodingError.self) {
            try TranscodingFixtures.encode(vector.input, as: vector.type)
        }
    }
}
