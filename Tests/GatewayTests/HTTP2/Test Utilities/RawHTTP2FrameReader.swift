import NIOCore

/// One HTTP/2 frame as it appeared on the wire.
struct RawHTTP2Frame: Equatable {
    enum Kind: UInt8 {
        case data = 0
        case headers = 1
        case priority = 2
        case rstStream = 3
        case settings = 4
        case pushPromise = 5
        case ping = 6
        case goAway = 7
        case windowUpdate = 8
        case continuation = 9
    }

    var type: UInt8
    var flags: UInt8
    var streamID: Int32
    var payload: [UInt8]

    var kind: Kind? { Kind(rawValue: self.type) }
    var endsStream: Bool { self.flags & 0x1 != 0 && (self.kind == .data || self.kind == .headers) }
    var isAck: Bool { self.flags & 0x1 != 0 && (self.kind == .settings || self.kind == .ping) }

    /// The first 32-bit word of the payload (GOAWAY's last-stream-id, RST_STREAM's error code, …).
    func word(at offset: Int) -> UInt32 {
        self.payload[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }
}

/// Splits a byte stream into HTTP/2 frames (9-byte header, then the payload), across buffer boundaries.
struct RawHTTP2FrameReader {
    private var pending: [UInt8] = []
    private var skipPreface: Bool

    init(expectsPreface: Bool) {
        self.skipPreface = expectsPreface
    }

    mutating func frames(from buffer: ByteBuffer) -> [RawHTTP2Frame] {
        self.pending += buffer.readableBytesView
        if self.skipPreface {
            guard self.pending.count >= 24 else { return [] }
            self.pending.removeFirst(24)
            self.skipPreface = false
        }
        var frames: [RawHTTP2Frame] = []
        while self.pending.count >= 9 {
            let length = Int(self.pending[0]) << 16 | Int(self.pending[1]) << 8 | Int(self.pending[2])
            guard self.pending.count >= 9 + length else { break }
            let streamID = self.pending[5..<9].reduce(0) { $0 << 8 | UInt32($1) } & 0x7fff_ffff
            frames.append(
                RawHTTP2Frame(
                    type: self.pending[3],
                    flags: self.pending[4],
                    streamID: Int32(streamID),
                    payload: Array(self.pending[9..<(9 + length)])
                )
            )
            self.pending.removeFirst(9 + length)
        }
        return frames
    }
}
