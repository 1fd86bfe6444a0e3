/// An immutable hash table from UTF-8 names to small integers, looked up straight from request bytes so
/// that no `String` is created per JSON key.
struct NameTable: Sendable {
    private let names: [[UInt8]]
    private let values: [Int32]
    /// Open addressing: entry index + 1, 0 for an empty slot.
    private let slots: [Int32]
    private let mask: Int

    /// Builds the table; a name given twice keeps its first value.
    init(_ pairs: [(String, Int32)]) {
        var capacity = 8
        while capacity < pairs.count * 2 { capacity *= 2 }
        var names: [[UInt8]] = []
        var values: [Int32] = []
        var slots = [Int32](repeating: 0, count: capacity)
        let mask = capacity - 1
        for (name, value) in pairs {
            let bytes = Array(name.utf8)
            var index = bytes.withUnsafeBytes { Int(truncatingIfNeeded: NameTable.hash($0)) } & mask
            var duplicate = false
            while slots[index] != 0 {
                if names[Int(slots[index]) - 1] == bytes {
                    duplicate = true
                    break
                }
                index = (index + 1) & mask
            }
            if duplicate { continue }
            names.append(bytes)
            values.append(value)
            slots[index] = Int32(names.count)
        }
        self.names = names
        self.values = values
        self.slots = slots
        self.mask = mask
    }

    /// The value stored for these UTF-8 bytes.
    func lookup(_ bytes: UnsafeRawBufferPointer) -> Int32? {
        var index = Int(truncatingIfNeeded: NameTable.hash(bytes)) & mask
        while true {
            let entry = Int(slots[index])
            if entry == 0 { return nil }
            let matches = names[entry - 1].withUnsafeBytes { $0.elementsEqual(bytes) }
            if matches { return values[entry - 1] }
            index = (index + 1) & mask
        }
    }

    /// The value stored for this name.
    func lookup(_ name: String) -> Int32? {
        var name = name
        return name.withUTF8 { lookup(UnsafeRawBufferPointer($0)) }
    }

    /// FNV-1a, 64 bits.
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return hash
    }
}
