import Synchronization

/// The serialized descriptor files of every backend's schema, as the gateway's reflection service answers
/// them, each distinct file kept once however many backends carry it: descriptor.proto and google/api's
/// files come with nearly every set, and a thousand backends would otherwise keep a thousand copies.
/// One per gateway; it only grows (by the distinct files ever served).
package final class DescriptorFileStore: Sendable {
    private let files = Mutex<[DescriptorFileBytes: [UInt8]]>([:])

    package init() {}

    /// The descriptors of serialized `FileDescriptorSet`s for the reflection catalog: their files, each as the
    /// store's one copy, or the sets as they are when one is not the plain list of files protoc writes.
    func descriptors(ofSets sets: [[UInt8]]) -> ReflectionCatalog.Backend.Descriptors {
        var all: [[UInt8]] = []
        for set in sets {
            guard let files = files(ofSet: set) else { return .sets(sets) }
            all.append(contentsOf: files)
        }
        return .files(all)
    }

    /// The files of a serialized `FileDescriptorSet`, each as the store's one copy of its bytes.
    ///
    /// - Returns: The files in the set's order; nil when the set is not the plain list of files protoc writes.
    func files(ofSet set: [UInt8]) -> [[UInt8]]? {
        guard let ranges = DescriptorFileCache.fileRanges(set) else { return nil }
        return files.withLock { files in
            ranges.map { range in
                let key = DescriptorFileBytes(bytes: set[range])
                if let kept = files[key] { return kept }
                let copy = Array(set[range])
                files[DescriptorFileBytes(bytes: copy[...])] = copy
                return copy
            }
        }
    }
}
