import CNGHTTP2

/// Turns `[HTTP2Header]` into the `nghttp2_nv` array nghttp2's submit functions take, reusing its storage.
///
/// Every name and value is copied into one scratch buffer that the `nghttp2_nv` entries point into; nghttp2 copies
/// them again when the frame is submitted, so the scratch is free for the next block as soon as the submit call
/// returns. Names from a small table of well-known fields point at static strings instead and carry
/// `NGHTTP2_NV_FLAG_NO_COPY_NAME`, which is safe because static strings live as long as the process.
///
/// Validation: upper-case ASCII in names is lower-cased; a field whose name or value nghttp2 rejects
/// (`nghttp2_check_header_name` / `nghttp2_check_header_value`) or that is connection-specific (forbidden in
/// HTTP/2: `connection`, `keep-alive`, `proxy-connection`, `transfer-encoding`, `upgrade`, and `te` other than
/// `trailers`) is left out.
final class NGHTTP2HeaderBlockEncoder {
    private var scratch: UnsafeMutableRawBufferPointer
    private var fields: UnsafeMutablePointer<nghttp2_nv>
    private var fieldCapacity: Int

    init() {
        self.scratch = .allocate(byteCount: 4096, alignment: 1)
        self.fieldCapacity = 32
        self.fields = .allocate(capacity: 32)
    }

    deinit {
        self.scratch.deallocate()
        self.fields.deallocate()
    }

    /// Encodes `headers` and calls `body` with the `nghttp2_nv` array; the array is valid only inside `body`.
    ///
    /// `body` must not re-enter this encoder (nghttp2's submit functions do not call back).
    func withEncodedFields<Result>(
        _ headers: [HTTP2Header],
        _ body: (UnsafePointer<nghttp2_nv>, Int) -> Result
    ) -> Result {
        self.reserve(for: headers)
        var count = 0
        var offset = 0
        let base = self.scratch.baseAddress!.assumingMemoryBound(to: UInt8.self)
        for header in headers {
            let nameStart = base + offset
            var name = header.name
            let nameLength = name.withUTF8 { utf8 -> Int in
                for index in 0..<utf8.count {
                    let byte = utf8[index]
                    nameStart[index] = byte &- 0x41 < 26 ? byte | 0x20 : byte
                }
                return utf8.count
            }
            guard nghttp2_check_header_name(nameStart, nameLength) != 0,
                !Self.isConnectionSpecific(nameStart, nameLength, value: header.value)
            else { continue }
            var flags = UInt8(NGHTTP2_NV_FLAG_NONE.rawValue)
            var namePointer = UnsafeMutablePointer(mutating: nameStart)
            if let known = Self.staticName(nameStart, nameLength) {
                namePointer = UnsafeMutablePointer(mutating: known.utf8Start)
                flags |= UInt8(NGHTTP2_NV_FLAG_NO_COPY_NAME.rawValue)
            } else {
                offset += nameLength
            }
            let valueStart = base + offset
            var value = header.value
            let valueLength = value.withUTF8 { utf8 -> Int in
                if let source = utf8.baseAddress {
                    valueStart.update(from: source, count: utf8.count)
                }
                return utf8.count
            }
            guard nghttp2_check_header_value(valueStart, valueLength) != 0 else {
                if flags & UInt8(NGHTTP2_NV_FLAG_NO_COPY_NAME.rawValue) == 0 {
                    offset -= nameLength
                }
                continue
            }
            offset += valueLength
            self.fields[count] = nghttp2_nv(
                name: namePointer,
                value: valueStart,
                namelen: nameLength,
                valuelen: valueLength,
                flags: flags
            )
            count += 1
        }
        return body(self.fields, count)
    }

    private func reserve(for headers: [HTTP2Header]) {
        var bytes = 0
        for header in headers {
            bytes += header.name.utf8.count + header.value.utf8.count
        }
        if bytes > self.scratch.count {
            self.scratch.deallocate()
            self.scratch = .allocate(byteCount: max(bytes, self.scratch.count * 2), alignment: 1)
        }
        if headers.count > self.fieldCapacity {
            self.fields.deallocate()
            self.fieldCapacity = max(headers.count, self.fieldCapacity * 2)
            self.fields = .allocate(capacity: self.fieldCapacity)
        }
    }

    private static func bytesEqual(_ pointer: UnsafePointer<UInt8>, _ length: Int, _ name: StaticString) -> Bool {
        length == name.utf8CodeUnitCount
            && UnsafeBufferPointer(start: pointer, count: length).elementsEqual(
                UnsafeBufferPointer(start: name.utf8Start, count: length)
            )
    }

    private static let wellKnownNames: [StaticString] = [
        ":status", ":method", ":scheme", ":path", ":authority", "content-type", "grpc-status", "grpc-message",
        "te", "user-agent", "grpc-encoding", "grpc-accept-encoding", "grpc-timeout", "content-length",
    ]

    private static func staticName(_ pointer: UnsafePointer<UInt8>, _ length: Int) -> StaticString? {
        for name in Self.wellKnownNames where Self.bytesEqual(pointer, length, name) {
            return name
        }
        return nil
    }

    private static func isConnectionSpecific(_ pointer: UnsafePointer<UInt8>, _ length: Int, value: String) -> Bool {
        switch length {
        case 2:
            return Self.bytesEqual(pointer, length, "te") && value != "trailers"
        case 7:
            return Self.bytesEqual(pointer, length, "upgrade")
        case 10:
            return Self.bytesEqual(pointer, length, "connection") || Self.bytesEqual(pointer, length, "keep-alive")
        case 16:
            return Self.bytesEqual(pointer, length, "proxy-connection")
        case 17:
            return Self.bytesEqual(pointer, length, "transfer-encoding")
        default:
            return false
        }
    }
}
