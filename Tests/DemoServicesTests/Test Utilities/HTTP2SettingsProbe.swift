#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads the SETTINGS frame an HTTP/2 server sends first, over a plain blocking TCP socket, so a test can see
/// what a server really advertises on the wire.
enum HTTP2SettingsProbe {
    /// A failed socket call, with its errno.
    struct ProbeError: Error, CustomStringConvertible {
        var step: String
        var errno: Int32
        var description: String { "\(self.step) failed: errno \(self.errno)" }
    }

    /// SETTINGS_MAX_CONCURRENT_STREAMS.
    static let maxConcurrentStreams: UInt16 = 0x3

    /// The settings in the server's first SETTINGS frame, by identifier.
    ///
    /// - Parameters:
    ///   - host: An IPv4 address.
    ///   - port: The server's port.
    static func settings(host: String, port: Int) throws -> [UInt16: UInt32] {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw ProbeError(step: "socket", errno: errno) }
        defer { close(fd) }

        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw ProbeError(step: "connect", errno: errno) }

        // The client preface followed by an empty SETTINGS frame.
        let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + [0, 0, 0, 4, 0, 0, 0, 0, 0]
        guard send(fd, preface, preface.count, 0) == preface.count else {
            throw ProbeError(step: "send", errno: errno)
        }

        while true {
            let header = try Self.read(fd, count: 9)
            let length = Int(header[0]) << 16 | Int(header[1]) << 8 | Int(header[2])
            let payload = try Self.read(fd, count: length)
            // Type 4 is SETTINGS; flag 1 is ACK, which carries no settings.
            guard header[3] == 4, header[4] & 1 == 0 else { continue }
            var settings: [UInt16: UInt32] = [:]
            for offset in stride(from: 0, to: payload.count - 5, by: 6) {
                let identifier = UInt16(payload[offset]) << 8 | UInt16(payload[offset + 1])
                let value = payload[(offset + 2)...(offset + 5)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                settings[identifier] = value
            }
            return settings
        }
    }

    private static func read(_ fd: Int32, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let received = bytes.withUnsafeMutableBytes { buffer in
                recv(fd, buffer.baseAddress! + filled, count - filled, 0)
            }
            guard received > 0 else { throw ProbeError(step: "recv", errno: received == 0 ? 0 : errno) }
            filled += received
        }
        return bytes
    }
}
