import SwiftProtobuf
import Testing

@testable import Gateway

/// The gateway's one copy of each descriptor file, whatever the number of sets carrying it.
@Suite("Descriptor file store")
struct DescriptorFileStoreTests {
    static func file(_ name: String) -> Google_Protobuf_FileDescriptorProto {
        var file = Google_Protobuf_FileDescriptorProto()
        file.name = name
        file.package = "pkg"
        return file
    }

    static func set(_ files: [Google_Protobuf_FileDescriptorProto]) throws -> [UInt8] {
        var set = Google_Protobuf_FileDescriptorSet()
        set.file = files
        return try set.serializedBytes()
    }

    static func address(_ bytes: [UInt8]) -> UnsafeRawPointer? {
        bytes.withUnsafeBytes { $0.baseAddress }
    }

    @Test("a file carried by two sets is kept once; each set's files come back in its order")
    func sharedFileKeptOnce() throws {
        let store = DescriptorFileStore()
        let common = Self.file("common.proto")
        let first = try #require(store.files(ofSet: try Self.set([common, Self.file("a.proto")])))
        let second = try #require(store.files(ofSet: try Self.set([Self.file("b.proto"), common])))
        #expect(first.count == 2 && second.count == 2)
        #expect(try Google_Protobuf_FileDescriptorProto(serializedBytes: second[0]).name == "b.proto")
        #expect(first[0] == second[1])
        #expect(Self.address(first[0]) == Self.address(second[1]), "one buffer, not two copies")
        #expect(Self.address(first[1]) != Self.address(second[0]))
    }

    @Test("a set that is not a plain list of files is kept as a set")
    func unusualSetKeptWhole() throws {
        let store = DescriptorFileStore()
        let plain = try Self.set([Self.file("a.proto")])
        guard case .sets(let sets) = store.descriptors(ofSets: [plain, [0x12, 0x00]]) else {
            Issue.record("a set with a field other than `file` is kept whole")
            return
        }
        #expect(sets.count == 2)
        guard case .files(let files) = store.descriptors(ofSets: [plain]) else {
            Issue.record("a plain set is split into files")
            return
        }
        #expect(files.count == 1)
    }
}
