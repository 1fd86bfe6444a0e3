import Foundation
import SwiftProtobuf

extension ReflectionCatalog {
    /// Every file of every backend, by name and by the symbols and extensions it declares; built once, read-only.
    final class Index: Sendable {
        /// One copy of a file, as a backend's descriptors hold it.
        struct File: Sendable {
            let name: String
            let dependencies: [String]
            /// The serialized `FileDescriptorProto`, a slice of the backend's own bytes.
            let bytes: ArraySlice<UInt8>
            /// The position of the backend that holds this copy.
            let source: Int
        }

        let files: [File]
        /// The copy a name lookup gets: the first backend's.
        let fileByName: [String: Int]
        /// Each backend's own copies by name, where a file's imports are looked up first.
        let sourceFiles: [[String: Int]]
        let fileOfSymbol: [String: Int]
        /// The file of each extension, by the full name of the message it extends and its number.
        let fileOfExtension: [String: [Int32: Int]]
        let messageTypes: Set<String>
        let serviceNames: [String]

        init(sources: [Backend]) {
            var builder = Builder(sourceCount: sources.count)
            for (position, source) in sources.enumerated() {
                let served = Set(source.services)
                switch source.descriptors {
                case .sets(let sets):
                    for set in sets {
                        for range in Self.fileRanges(of: set) {
                            builder.add(base: set, range: range, source: position, served: served)
                        }
                    }
                case .files(let files):
                    for file in files {
                        builder.add(base: file, range: file.indices, source: position, served: served)
                    }
                }
            }
            self.files = builder.files
            self.fileByName = builder.fileByName
            self.sourceFiles = builder.sourceFiles
            self.fileOfSymbol = builder.symbols.mapValues(\.file)
            self.fileOfExtension = builder.extensions
            self.messageTypes = builder.messageTypes
            self.serviceNames = Set(sources.flatMap(\.services)).sorted()
        }

        /// The file at `root`, then its imports breadth first, as grpc-go sends them: the root always, each import
        /// only if `sentFiles` lacks its name; an import no backend has is left out.
        func files(from root: Int, sentFiles: inout Set<String>) -> [ReflectedFile] {
            var answer: [ReflectedFile] = []
            var queue = [root]
            var visited: Set<Int> = []
            var next = 0
            while next < queue.count {
                let position = queue[next]
                next += 1
                guard visited.insert(position).inserted else { continue }
                let file = files[position]
                if sentFiles.insert(file.name).inserted || position == root {
                    answer.append(
                        ReflectedFile(name: file.name, dependencies: file.dependencies, bytes: Array(file.bytes)))
                }
                for dependency in file.dependencies {
                    if let found = sourceFiles[file.source][dependency] ?? fileByName[dependency] {
                        queue.append(found)
                    }
                }
            }
            return answer
        }

        /// The ranges of the `file` entries (field 1) of a serialized `FileDescriptorSet`; other fields are skipped,
        /// and a set that is not protobuf yields the files before the damage (the runtime parsed every set already).
        private static func fileRanges(of set: [UInt8]) -> [Range<Int>] {
            var reader = ReflectionWireReader(bytes: set)
            var ranges: [Range<Int>] = []
            while !reader.isAtEnd {
                guard let field = try? reader.readField() else { break }
                if case (1, .bytes(let range)) = field { ranges.append(range) }
            }
            return ranges
        }
    }

    /// Gathers the index's tables, file by file.
    private struct Builder {
        var files: [Index.File] = []
        var fileByName: [String: Int] = [:]
        var sourceFiles: [[String: Int]]
        var symbols: [String: (file: Int, serving: Bool)] = [:]
        var extensions: [String: [Int32: Int]] = [:]
        var messageTypes: Set<String> = []

        init(sourceCount: Int) {
            sourceFiles = Array(repeating: [:], count: sourceCount)
        }

        /// Adds one backend's copy of a file: `base[range]` is a serialized `FileDescriptorProto`.
        mutating func add(base: [UInt8], range: Range<Int>, source: Int, served: Set<String>) {
            let bytes = base[range]
            // Most sets repeat descriptor.proto, google/api/*.proto and the well-known types: an identical copy is
            // the file already indexed, and is not parsed again.
            if let name = Self.name(base: base, range: range), let known = fileByName[name],
                Self.same(files[known].bytes, bytes)
            {
                if sourceFiles[source][name] == nil { sourceFiles[source][name] = known }
                return
            }
            guard let proto = try? Google_Protobuf_FileDescriptorProto(serializedBytes: Array(bytes)),
                sourceFiles[source][proto.name] == nil
            else { return }
            let position = files.count
            files.append(Index.File(name: proto.name, dependencies: proto.dependency, bytes: bytes, source: source))
            if fileByName[proto.name] == nil { fileByName[proto.name] = position }
            sourceFiles[source][proto.name] = position
            let prefix = proto.package.isEmpty ? "" : proto.package + "."
            let serving = proto.service.contains { served.contains(prefix + $0.name) }
            let file = FileSymbols(file: position, serving: serving)
            for message in proto.messageType { file.addMessage(message, scope: prefix, to: &self) }
            for enumType in proto.enumType { file.addEnum(enumType, scope: prefix, to: &self) }
            for fieldExtension in proto.extension { file.addExtension(fieldExtension, scope: prefix, to: &self) }
            for service in proto.service {
                let name = prefix + service.name
                file.addSymbol(name, to: &self)
                for method in service.method { file.addSymbol(name + "." + method.name, to: &self) }
            }
        }

        /// The `name` (field 1) of a serialized `FileDescriptorProto`, read without parsing the rest.
        private static func name(base: [UInt8], range: Range<Int>) -> String? {
            var reader = ReflectionWireReader(bytes: base, range: range)
            while !reader.isAtEnd {
                guard let field = try? reader.readField() else { return nil }
                if case (1, .bytes(let text)) = field { return reader.string(text) }
            }
            return nil
        }

        private static func same(_ left: ArraySlice<UInt8>, _ right: ArraySlice<UInt8>) -> Bool {
            left.count == right.count
                && left.withUnsafeBytes { l in
                    right.withUnsafeBytes { r in
                        guard let a = l.baseAddress, let b = r.baseAddress else { return true }
                        return memcmp(a, b, l.count) == 0
                    }
                }
        }
    }

    /// Registers the symbols of one file copy.
    private struct FileSymbols {
        let file: Int
        /// Whether the copy's backend serves one of its services: such a copy takes over the file's symbols.
        let serving: Bool

        func addSymbol(_ name: String, to builder: inout Builder) {
            if let known = builder.symbols[name], known.serving || !serving { return }
            builder.symbols[name] = (file, serving)
        }

        func addMessage(_ message: Google_Protobuf_DescriptorProto, scope: String, to builder: inout Builder) {
            let name = scope + message.name
            addSymbol(name, to: &builder)
            builder.messageTypes.insert(name)
            let inner = name + "."
            for field in message.field { addSymbol(inner + field.name, to: &builder) }
            for oneof in message.oneofDecl { addSymbol(inner + oneof.name, to: &builder) }
            for enumType in message.enumType { addEnum(enumType, scope: inner, to: &builder) }
            for fieldExtension in message.extension { addExtension(fieldExtension, scope: inner, to: &builder) }
            for nested in message.nestedType { addMessage(nested, scope: inner, to: &builder) }
        }

        /// An enum, and its values in the enum's own scope (`pkg.RED`, not `pkg.Color.RED`), as protobuf has it.
        func addEnum(_ enumType: Google_Protobuf_EnumDescriptorProto, scope: String, to builder: inout Builder) {
            addSymbol(scope + enumType.name, to: &builder)
            for value in enumType.value { addSymbol(scope + value.name, to: &builder) }
        }

        func addExtension(_ field: Google_Protobuf_FieldDescriptorProto, scope: String, to builder: inout Builder) {
            addSymbol(scope + field.name, to: &builder)
            let extendee = field.extendee.hasPrefix(".") ? String(field.extendee.dropFirst()) : field.extendee
            if builder.extensions[extendee, default: [:]][field.number] == nil {
                builder.extensions[extendee, default: [:]][field.number] = file
            }
        }
    }
}
