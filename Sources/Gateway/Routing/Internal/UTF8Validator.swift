/// An incremental UTF-8 well-formedness check (Unicode table 3-7), fed one byte at a time.
///
/// Rejects overlong forms, surrogates and code points above U+10FFFF, which is what `String(validating:)`
/// rejects, without needing the bytes in one buffer.
struct UTF8Validator {
    private var pendingContinuationBytes = 0
    private var lowestNext: UInt8 = 0x80
    private var highestNext: UInt8 = 0xBF

    /// Whether the bytes consumed so far end on a scalar boundary.
    var isAtBoundary: Bool { pendingContinuationBytes == 0 }

    /// Consumes one byte.
    ///
    /// - Returns: `false` when the byte cannot continue a well-formed sequence.
    mutating func consume(_ byte: UInt8) -> Bool {
        guard pendingContinuationBytes == 0 else {
            guard lowestNext <= byte && byte <= highestNext else { return false }
            pendingContinuationBytes -= 1
            lowestNext = 0x80
            highestNext = 0xBF
            return true
        }
        switch byte {
        case 0x00...0x7F: return true
        case 0xC2...0xDF: expect(1, from: 0x80, to: 0xBF)
        case 0xE0: expect(2, from: 0xA0, to: 0xBF)
        case 0xE1...0xEC, 0xEE...0xEF: expect(2, from: 0x80, to: 0xBF)
        case 0xED: expect(2, from: 0x80, to: 0x9F)
        case 0xF0: expect(3, from: 0x90, to: 0xBF)
        case 0xF1...0xF3: expect(3, from: 0x80, to: 0xBF)
        case 0xF4: expect(3, from: 0x80, to: 0x8F)
        default: return false
        }
        return true
    }

    private mutating func expect(_ continuationBytes: Int, from lowest: UInt8, to highest: UInt8) {
        pendingContinuationBytes = continuationBytes
        lowestNext = lowest
        highestNext = highest
    }
}
