import Foundation

/// A descriptor file's serialized bytes as a dictionary key, hashed and compared a buffer at a time (an
/// `ArraySlice<UInt8>` key hashes byte by byte: most of a large config's load time went there).
struct DescriptorFileBytes: Hashable {
    let bytes: ArraySlice<UInt8>

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    static func == (left: DescriptorFileBytes, right: DescriptorFileBytes) -> Bool {
        left.bytes.count == right.bytes.count
            && left.bytes.withUnsafeBytes { l in
                right.bytes.withUnsafeBytes { r in
                    guard let a = l.baseAddress, let b = r.baseAddress else { return true }
                    return memcmp(a, b, l.count) == 0
                }
            }
    }
}
