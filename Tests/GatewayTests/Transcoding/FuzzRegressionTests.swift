import Testing

@testable import Gateway

/// Inputs the fuzz targets in fuzz/ found crashing the transcoders, reduced to the field that did it.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    /// A `google.protobuf.Duration` in `WellKnown.duration` (field 2) whose seconds or nanos are the most
    /// negative integer: `abs` of it trapped instead of the reply being refused as out of range.
    @Test(
        "a duration with Int64.min seconds or Int32.min nanos is refused, not a crash",
        arguments: [
            // seconds (field 1) = -2^63, a 10-byte varint
            [0x12, 0x0B, 0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01],
            // nanos (field 2) = -2^31, sign-extended to a 10-byte varint
            [0x12, 0x0B, 0x10, 0x80, 0x80, 0x80, 0x80, 0xF8, 0xFF, 0xFF, 0xFF, 0xFF, 0x01],
        ] as [[UInt8]]
    )
    func durationAtIntegerMinimum(wire: [UInt8]) throws {
        let error = try #require(throws: TranscodingError.self) {
            try TranscodingFixtures.decode(wire, as: "portico.test.WellKnown")
        }
        #expect(error.code == .malformedMessage)
    }

    @Test(
        "the largest durations still print",
        arguments: [
            // seconds = 315,576,000,000, nanos = 999,999,999
            (
                [0x12, 0x0D, 0x08, 0x80, 0xBC, 0xAE, 0xCE, 0x97, 0x09, 0x10, 0xFF, 0x93, 0xEB, 0xDC, 0x03],
                "315576000000.999999999s"
            ),
            // both negated (10-byte varints)
            (
                [
                    0x12, 0x16, 0x08, 0x80, 0xC4, 0xD1, 0xB1, 0xE8, 0xF6, 0xFF, 0xFF, 0xFF, 0x01,
                    0x10, 0x81, 0xEC, 0x94, 0xA3, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0x01,
                ], "-315576000000.999999999s"
            ),
        ] as [([UInt8], String)]
    )
    func durationAtLimits(wire: [UInt8], text: String) throws {
        #expect(try TranscodingFixtures.decode(wire, as: "portico.test.WellKnown") == #"{"duration":""# + text + #""}"#)
    }
}
