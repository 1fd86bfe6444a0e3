/// Decoding of `application/x-www-form-urlencoded` query components.
enum PercentDecoding {
    /// Replaces `output` with `component` decoded: `%XX` escapes become bytes and `+` becomes a space; a
    /// malformed escape is kept literally.
    static func decode(_ component: Substring.UTF8View, into output: inout [UInt8]) {
        output.removeAll(keepingCapacity: true)
        var index = component.startIndex
        while index < component.endIndex {
            let byte = component[index]
            if byte == UInt8(ascii: "+") {
                output.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"),
                let high = component.index(index, offsetBy: 1, limitedBy: component.endIndex),
                high < component.endIndex,
                let low = component.index(high, offsetBy: 1, limitedBy: component.endIndex), low < component.endIndex,
                let highValue = hexValue(component[high]), let lowValue = hexValue(component[low])
            {
                output.append(highValue << 4 | lowValue)
                index = low
            } else {
                output.append(byte)
            }
            index = component.index(after: index)
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
