import Foundation
import SwiftProtobuf

/// Parsed descriptor files by their serialized bytes, shared by the pools of one config load: the files that
/// every backend's set repeats (descriptor.proto, google/api/*.proto, the well-known types), or one big set
/// that many backends narrow with `services`, are parsed once.
package final class DescriptorFileCache {
    private var parsed: [DescriptorFileBytes: Google_Protobuf_FileDescriptorProto] = [:]
    private var seenOnce: Set<DescriptorFileBytes> = []

    package init() {}

    /// The files of a serialized `FileDescriptorSet`, each parsed once per cache.
    func files(of set: (source: String, bytes: [UInt8])) throws(DescriptorError)
        -> [Google_Protobuf_FileDescriptorProto]
    {
        guard let ranges = Self.fileRanges(set.bytes) else {
            // Not the plain shape protoc writes (field 1, repeated): let SwiftProtobuf read it, or say why not.
            return try Self.parse(set.bytes[...], source: set.source, asSet: true)
        }
        var files: [Google_Protobuf_FileDescriptorProto] = []
        files.reserveCapacity(ranges.count)
        for range in ranges {
            let bytes = DescriptorFileBytes(bytes: set.bytes[range])
            if let file = parsed[bytes] {
                files.append(file)
                continue
            }
            let file = try Self.parse(bytes.bytes, source: set.source, asSet: false)[0]
            files.append(file)
            // Kept from its second sighting on: a file only one backend has (its own service, most of a large
            // config) would otherwise stay parsed until the whole load is done. The keys are copies of the
            // file's own bytes: a slice would keep the whole set alive.
            let key = DescriptorFileBytes(bytes: ArraySlice(Array(bytes.bytes)))
            if seenOnce.remove(key) != nil {
                parsed[key] = file
            } else {
                seenOnce.insert(key)
            }
        }
        return files
    }

    /// The byte ranges of the `file` entries (field 1) of a `FileDescriptorSet`; nil if it holds anything else.
    static func fileRanges(_ bytes: [UInt8]) -> [Range<Int>]? {
        bytes.withUnsafeBytes { buffer in
            var reader = WireReader(bytes: buffer, range: 0..<buffer.count)
            var ranges: [Range<Int>] = []
            while !reader.isAtEnd {
                guard let (number, wireType) = try? reader.readTag(), number == 1, wireType == 2,
                    let range = try? reader.skipValue(wireType: wireType, number: number)
                else { return nil }
                ranges.append(range)
            }
            return ranges
        }
    }

    private static func parse(_ bytes: ArraySlice<UInt8>, source: String, asSet: Bool) throws(DescriptorError)
        -> [Google_Protobuf_FileDescriptorProto]
    {
        do {
            if asSet {
                return try Google_Protobuf_FileDescriptorSet(
                    serializedBytes: Array(bytes), extensions: Google_Api_Annotations_Extensions
                ).file
            }
            return [
                try Google_Protobuf_FileDescriptorProto(
                    serializedBytes: Array(bytes), extensions: Google_Api_Annotations_Extensions)
            ]
        } catch {
            throw DescriptorError(code: .malformedDescriptorSet, source: source, message: "\(error)")
        }
    }
}
