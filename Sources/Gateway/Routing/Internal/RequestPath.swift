/// A request path seen as segments without splitting it: segment boundaries are found by scanning for `/` in
/// the raw bytes, so a match allocates nothing, and `%2F` never separates segments because decoding comes later.
///
/// The segments lie in `bytes[1..<end]`; `end` excludes a split-off verb and any ignored trailing slashes.
struct RequestPath {
    /// The raw path bytes, starting with `/`.
    let bytes: UnsafeBufferPointer<UInt8>
    /// The end of the segments.
    let end: Int
    /// The number of segments: zero for `/`, otherwise one more than the slashes in `bytes[1..<end]`.
    let segmentCount: Int

    /// The offset of the first segment.
    static let firstSegmentStart = 1

    init(bytes: UnsafeBufferPointer<UInt8>, end: Int) {
        self.bytes = bytes
        self.end = end
        var count = end > Self.firstSegmentStart ? 1 : 0
        var index = Self.firstSegmentStart
        while index < end {
            if bytes[index] == UInt8(ascii: "/") { count += 1 }
            index += 1
        }
        self.segmentCount = count
    }

    /// The end (exclusive) of the segment that starts at `start`.
    @inline(__always)
    func segmentEnd(startingAt start: Int) -> Int {
        var index = start
        while index < end && bytes[index] != UInt8(ascii: "/") { index += 1 }
        return index
    }

    /// The start of the segment that ends at `end` (exclusive), found by scanning backwards.
    @inline(__always)
    func segmentStart(endingAt end: Int) -> Int {
        var index = end
        while index > Self.firstSegmentStart && bytes[index - 1] != UInt8(ascii: "/") { index -= 1 }
        return index
    }

    /// The bytes covered by the segments `segments`, including the slashes between them.
    ///
    /// An empty range of segments gives an empty byte range.
    func byteRange(ofSegments segments: Range<Int>) -> Range<Int> {
        guard !segments.isEmpty else { return Self.firstSegmentStart..<Self.firstSegmentStart }
        var start = Self.firstSegmentStart
        for _ in 0..<segments.lowerBound {
            start = segmentEnd(startingAt: start) + 1
        }
        var segmentEnd = segmentEnd(startingAt: start)
        for _ in 1..<segments.count {
            segmentEnd = self.segmentEnd(startingAt: segmentEnd + 1)
        }
        return start..<segmentEnd
    }
}
