/// Re-prints compact JSON on several lines, as protobuf's multiline printers do: each member and element on
/// its own line, indented by `width` spaces per level, `": "` after a key; empty objects and arrays stay `{}`
/// and `[]`. The input is what the encoders print: JSON without whitespace outside strings.
enum JSONIndentation {
    static func indent(_ compact: ArraySlice<UInt8>, width: Int, into output: inout [UInt8]) {
        output.reserveCapacity(output.count + compact.count * 2)
        var depth = 0
        var inString = false
        var escaped = false
        var index = compact.startIndex
        func newLine(_ output: inout [UInt8]) {
            output.append(UInt8(ascii: "\n"))
            output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth * width))
        }
        while index < compact.endIndex {
            let byte = compact[index]
            index += 1
            if inString {
                output.append(byte)
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                output.append(byte)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                output.append(byte)
                let close = byte == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
                if index < compact.endIndex, compact[index] == close {
                    output.append(close)
                    index += 1
                } else {
                    depth += 1
                    newLine(&output)
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                newLine(&output)
                output.append(byte)
            case UInt8(ascii: ","):
                output.append(byte)
                newLine(&output)
            case UInt8(ascii: ":"):
                output.append(contentsOf: [UInt8(ascii: ":"), UInt8(ascii: " ")])
            default:
                output.append(byte)
            }
        }
    }
}
