import Testing

/// A message size of the interop matrix: around the edges where HTTP/2 frames, flow-control windows and the
/// gateway's limits change how bytes travel.
struct InteropSize: Sendable, CustomTestStringConvertible {
    let bytes: Int
    let label: String

    static let empty = InteropSize(bytes: 0, label: "0 B")
    static let one = InteropSize(bytes: 1, label: "1 B")
    static let sixteenKiB = InteropSize(bytes: 16 << 10, label: "16 KiB")
    static let justUnder64KiB = InteropSize(bytes: (64 << 10) - 1, label: "64 KiB - 1")
    static let sixtyFourKiB = InteropSize(bytes: 64 << 10, label: "64 KiB")
    static let justOver64KiB = InteropSize(bytes: (64 << 10) + 1, label: "64 KiB + 1")
    static let oneMiB = InteropSize(bytes: 1 << 20, label: "1 MiB")
    /// The largest message whose JSON request body, `{"message":"…"}` plus a few fields, stays under the
    /// gateway's `maxRequestBytes`.
    static let justUnderLimit = InteropSize(
        bytes: InteropEnvironment.maxRequestBytes - 100, label: "maxRequestBytes - 100")

    static let all: [InteropSize] = [
        .empty, .one, .sixteenKiB, .justUnder64KiB, .sixtyFourKiB, .justOver64KiB, .oneMiB, .justUnderLimit,
    ]

    var testDescription: String { label }

    /// A message of this size, printable ASCII that needs no JSON escaping, different at every position of a
    /// 64-byte block and from block to block (the pattern repeats every 4 KiB), so a lost, repeated or
    /// reordered chunk changes it.
    /// - Parameter seed: Makes different messages of the same size.
    func message(seed: Int = 0) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        let period = alphabet.count * 64
        let block = (0..<period).map { index in alphabet[(index + index / 64 + seed * 7) % alphabet.count] }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(self.bytes)
        while bytes.count < self.bytes {
            bytes.append(contentsOf: block.prefix(self.bytes - bytes.count))
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Expects `actual` to be `expected`, reporting the lengths and the first difference instead of both
/// (possibly megabyte-long) strings.
func expectSamePayload(
    _ actual: String?, _ expected: String, _ what: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    guard let actual else {
        Issue.record("\(what): missing, expected \(expected.utf8.count) bytes", sourceLocation: sourceLocation)
        return
    }
    guard actual != expected else { return }
    let a = Array(actual.utf8)
    let e = Array(expected.utf8)
    let first = (0..<min(a.count, e.count)).first { a[$0] != e[$0] } ?? min(a.count, e.count)
    Issue.record(
        "\(what): \(a.count) bytes, expected \(e.count); first difference at byte \(first)", sourceLocation: sourceLocation)
}
