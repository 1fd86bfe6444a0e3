import NIOCore

/// Splits a gRPC stream's DATA payloads into length-prefixed messages (1-byte compressed flag, 4-byte
/// big-endian length, then the message), however the frames cut them.
package struct GRPCMessageDeframer {
    /// Why a stream's messages cannot be read.
    package struct Failure: Error, CustomStringConvertible {
        /// What is wrong with the message.
        package enum Reason: Hashable, Sendable {
            /// Its compressed flag is set.
            case compressed
            /// It is larger than the limit.
            case tooLarge
        }

        package var reason: Reason
        package var description: String
    }

    private var pending: ByteBuffer?
    private let maxMessageBytes: Int

    /// - Parameter maxMessageBytes: The largest message accepted.
    package init(maxMessageBytes: Int) {
        self.maxMessageBytes = maxMessageBytes
    }

    /// Whether bytes of an unfinished message are held.
    package var hasPartialMessage: Bool { (pending?.readableBytes ?? 0) > 0 }

    /// Adds a DATA payload and returns the messages it completes, each without its prefix.
    package mutating func append(_ data: ByteBuffer) throws(Failure) -> [ByteBuffer] {
        var buffer: ByteBuffer
        if var held = pending {
            pending = nil
            var data = data
            held.writeBuffer(&data)
            buffer = held
        } else {
            buffer = data
        }
        var messages: [ByteBuffer] = []
        while let flag = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
            let length = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt32.self)
        {
            guard flag == 0 else {
                throw Failure(reason: .compressed, description: "compressed messages are not supported")
            }
            guard Int(length) <= maxMessageBytes else {
                throw Failure(
                    reason: .tooLarge,
                    description: "message of \(length) bytes exceeds the limit of \(maxMessageBytes)")
            }
            guard buffer.readableBytes >= 5 + Int(length) else { break }
            buffer.moveReaderIndex(forwardBy: 5)
            messages.append(buffer.readSlice(length: Int(length))!)
        }
        if buffer.readableBytes > 0 { pending = buffer }
        return messages
    }
}
