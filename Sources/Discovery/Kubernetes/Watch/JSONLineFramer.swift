/// Cuts a watch stream into events. The API server writes one compact JSON object per line, so an event
/// ends at a newline; pieces arrive however the network cut them, and a line may span many of them.
struct JSONLineFramer: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0
    private var scanned = 0

    /// Creates an empty framer.
    init() {}

    /// Adds bytes from the stream.
    mutating func append(_ bytes: [UInt8]) {
        if start > 0 && start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
            scanned = 0
        } else if start > 4096 && start > buffer.count / 2 {
            buffer.removeFirst(start)
            scanned -= start
            start = 0
        }
        buffer += bytes
    }

    /// The next complete non-blank line, without its newline; nil until more bytes arrive.
    mutating func next() -> ArraySlice<UInt8>? {
        while let newline = buffer[scanned...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = buffer[start..<newline]
            start = newline + 1
            scanned = start
            if line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t") })
            {
                return line
            }
        }
        scanned = buffer.count
        return nil
    }
}
