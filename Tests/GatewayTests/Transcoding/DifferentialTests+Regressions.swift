import SwiftProtobuf
import Testing

@testable import Gateway

/// Discrepancies the differential tests found in Portico, each pinned by a case that SwiftProtobuf answers.
extension DifferentialTests {
    @Test(
        "a float a little above the largest float still rounds to it",
        arguments: [
            #"{"fFloat": 3.4028235e+38}"#, #"{"fFloat": -3.4028235e+38}"#, #"{"fFloat": "3.4028235e+38"}"#,
            #"{"fFloat": 3.40282356e38}"#,
        ])
    func largestFloat(json: String) throws {
        let ours = try Portico_Test_Scalars(
            serializedBytes: try TranscodingFixtures.encode(json, as: "portico.test.Scalars"))
        #expect(ours == (try Portico_Test_Scalars(jsonString: json)))
        #expect(ours.fFloat.magnitude == .greatestFiniteMagnitude)
    }

    @Test("a float beyond rounding to the largest float is refused", arguments: [#"{"fFloat": 3.4028236e+38}"#])
    func beyondLargestFloat(json: String) {
        #expect(throws: (any Error).self) { try Portico_Test_Scalars(jsonString: json) }
        #expect(throws: TranscodingError.self) { try TranscodingFixtures.encode(json, as: "portico.test.Scalars") }
    }
}

extension DifferentialTests {
    @Test(
        "an = before the end of base64 is refused, not taken for the end of the bytes",
        arguments: [#"{"fBytes": "AB=C"}"#, #"{"fBytes": "A==="}"#, #"{"fBytes": "QQ==QQ=="}"#, #"{"fBytes": "=QUI"}"#])
    func base64PaddingInside(json: String) {
        #expect(throws: (any Error).self) { try Portico_Test_Scalars(jsonString: json) }
        #expect(throws: TranscodingError.self) { try TranscodingFixtures.encode(json, as: "portico.test.Scalars") }
    }

    @Test(
        "base64 padded or not decodes as SwiftProtobuf decodes it",
        arguments: [#"{"fBytes": "QQ=="}"#, #"{"fBytes": "QQ"}"#, #"{"fBytes": "QUI="}"#, #"{"fBytes": "QUJD"}"#])
    func base64Padding(json: String) throws {
        let ours = try Portico_Test_Scalars(
            serializedBytes: try TranscodingFixtures.encode(json, as: "portico.test.Scalars"))
        #expect(ours == (try Portico_Test_Scalars(jsonString: json)))
    }
}
