import Foundation
import SwiftProtobuf
import Testing

@testable import Gateway

/// Portico's transcoder against protobuf's own JSON mapping on the same messages: SwiftProtobuf's generated
/// types (Tests/GatewayTests/Generated) and Python's `json_format` (Tests/helpers/json_oracle.py), on
/// thousands of random `portico.test.Everything` messages a run, both directions, plus inputs all must refuse.
/// The seed is random unless `PORTICO_DIFFERENTIAL_SEED` is set; every failure names it.
@Suite("Differential: Portico's transcoder against SwiftProtobuf and Python protobuf")
struct DifferentialTests {
    static let typeName = "portico.test.Everything"

    /// Random messages per test (`PORTICO_DIFFERENTIAL_COUNT`, default 2,000).
    static let count = ProcessInfo.processInfo.environment["PORTICO_DIFFERENTIAL_COUNT"].flatMap { Int($0) } ?? 2000

    @Test("wire bytes in any encoding print as SwiftProtobuf and Python print them, with each option set")
    func wireToJSON() async throws {
        _ = RandomMessages.packableTypes
        var messages = RandomMessages(seed: SeededRandom.runSeed)
        var respelling = WireRespelling(random: SeededRandom(seed: SeededRandom.runSeed ^ 0x3E11))
        var cases: [(message: Portico_Test_Everything, wire: [UInt8], options: [PrintOptions])] = []
        for _ in 0..<Self.count {
            let message = messages.everything()
            // The defaults, and one other combination of the three printing options.
            let flags = Int.random(in: 1...7, using: &messages.random)
            let other = PrintOptions(
                protoNames: flags & 1 != 0, unpopulated: flags & 2 != 0, enumsAsInts: flags & 4 != 0)
            // Half of the messages as SwiftProtobuf writes them, half in another encoding of the same message.
            let wire: [UInt8] = try message.serializedBytes()
            cases.append(
                (message, respelling.random.chance(0.5) ? respelling.respell(wire) : wire, [PrintOptions(), other]))
        }
        // Python works in its own process while Portico and SwiftProtobuf print.
        async let pythonAnswers = PythonJSONOracle.answers(to: cases.map { .print($0.wire, options: $0.options) })
        var printed: [[JSONValue?]] = []
        var failures = Failures(direction: "wire→JSON")
        for (index, (message, wire, optionSets)) in cases.enumerated() {
            printed.append([])
            for options in optionSets {
                let context = "message #\(index), options \(options), wire \(Data(wire).base64EncodedString())"
                let ours: JSONValue
                do {
                    ours = try JSONValue(
                        parsing: try TranscodingFixtures.decode(wire, as: Self.typeName, options: options.portico))
                } catch {
                    failures.record("Portico failed: \(error)", context)
                    printed[index].append(nil)
                    continue
                }
                printed[index].append(ours)
                if let swiftOptions = options.swiftProtobuf {
                    let theirs = try JSONValue(parsing: try message.jsonString(options: swiftOptions))
                    if let difference = ours.difference(from: theirs) {
                        failures.record("Portico vs SwiftProtobuf: \(difference)", context, ours, theirs)
                    }
                }
            }
        }
        let python = try await pythonAnswers
        for (index, (_, wire, optionSets)) in cases.enumerated() {
            for (optionIndex, options) in optionSets.enumerated() {
                let context = "message #\(index), options \(options), wire \(Data(wire).base64EncodedString())"
                guard let ours = printed[index][optionIndex] else { continue }
                guard let pythonText = python[index].json?[optionIndex] else {
                    failures.record("Python refused to print: \(python[index].error ?? "?")", context)
                    continue
                }
                let theirs = try JSONValue(parsing: pythonText)
                // Portico prints null for an unset message field with emitUnpopulated; Python leaves it out.
                if let difference = ours.difference(from: theirs, absentMatchesNull: options.unpopulated) {
                    failures.record("Portico vs Python: \(difference)", context, ours, theirs)
                }
            }
        }
        failures.report(checked: cases.count)
    }

    @Test("JSON in every spelling the mapping allows encodes the message SwiftProtobuf and Python parse")
    func jsonToWire() async throws {
        _ = RandomMessages.packableTypes
        var messages = RandomMessages(seed: SeededRandom.runSeed ^ 0x5EED)
        var variants = JSONInputVariants(random: SeededRandom(seed: SeededRandom.runSeed ^ 0xD1FF))
        var cases: [(message: Portico_Test_Everything, original: [UInt8], json: String, jsonForSwiftProtobuf: String)] =
            []
        for _ in 0..<Self.count {
            let message = messages.everything()
            var printing = JSONEncodingOptions()
            printing.preserveProtoFieldNames = variants.random.chance(0.3)
            printing.alwaysPrintEnumsAsInts = variants.random.chance(0.3)
            let printed = try JSONValue(parsing: try message.jsonString(options: printing))
            let variant = variants.vary(printed, as: Self.typeName)
            var sameChoices = variants.random
            let json = variant.randomlySpelled(using: &variants.random)
            let jsonForSwiftProtobuf = variant.randomlySpelled(using: &sameChoices, forSwiftProtobuf: true)
            cases.append((message, try message.canonicalBytes(), json, jsonForSwiftProtobuf))
        }
        // Python works in its own process while Portico and SwiftProtobuf parse.
        async let pythonAnswers = PythonJSONOracle.answers(to: cases.map { .parse($0.json) })
        var failures = Failures(direction: "JSON→wire")
        for (index, (message, original, json, jsonForSwiftProtobuf)) in cases.enumerated() {
            let context = "message #\(index), JSON \(json)"
            do {
                let wire = try TranscodingFixtures.encode(json, as: Self.typeName)
                let ours = try Portico_Test_Everything(serializedBytes: wire)
                if try ours.canonicalBytes() != original {
                    failures.record("Portico's message differs: \(try Self.difference(ours, message))", context)
                }
            } catch {
                failures.record("Portico failed: \(error)", context)
            }
            do {
                let theirs = try Portico_Test_Everything(jsonString: jsonForSwiftProtobuf)
                if try theirs.canonicalBytes() != original {
                    failures.record("SwiftProtobuf's message differs: \(try Self.difference(theirs, message))", context)
                }
            } catch {
                failures.record("SwiftProtobuf refused: \(error)", context)
            }
        }
        let python = try await pythonAnswers
        for (index, (message, original, json, _)) in cases.enumerated() {
            let context = "message #\(index), JSON \(json)"
            guard let wire = python[index].wireBytes else {
                // Python refuses a float a little above the largest float as a JSON number (not as a string),
                // although it rounds to it and is what every printer writes for it: 3.4028235e+38. The
                // random floats are all floats, so this refusal is that quirk.
                if let error = python[index].error, error.contains("Float value too ") { continue }
                failures.record("Python refused: \(python[index].error ?? "?")", context)
                continue
            }
            let theirs = try Portico_Test_Everything(serializedBytes: wire)
            if try theirs.canonicalBytes() != original {
                failures.record("Python's message differs: \(try Self.difference(theirs, message))", context)
            }
        }
        failures.report(checked: cases.count)
    }

    /// Where two messages differ, as the difference of their JSON.
    static func difference(_ left: Portico_Test_Everything, _ right: Portico_Test_Everything) throws -> String {
        let leftJSON = try JSONValue(parsing: try left.jsonString())
        let rightJSON = try JSONValue(parsing: try right.jsonString())
        return leftJSON.difference(from: rightJSON) ?? "equal JSON, different bytes (NaN payload or -0?)"
    }
}

extension DifferentialTests {
    typealias PrintOptions = PythonJSONOracle.PrintOptions

    /// Failures of one test, recorded as issues up to a limit, each naming the seed.
    struct Failures {
        var direction: String
        var count = 0
        static let limit = 8

        mutating func record(_ what: String, _ context: String, _ ours: JSONValue? = nil, _ theirs: JSONValue? = nil) {
            count += 1
            guard count <= Self.limit else { return }
            var text = "\(direction): \(what)\n\(context)"
            if let ours, let theirs {
                text += "\nPortico: \(ours.text.prefix(3000))\nOracle:  \(theirs.text.prefix(3000))"
            }
            Issue.record("\(text)\n\(SeededRandom.reproduction)")
        }

        func report(checked: Int) {
            #expect(count == 0, "\(direction): \(count) failures in \(checked) messages; \(SeededRandom.reproduction)")
        }
    }
}

extension PythonJSONOracle.PrintOptions: CustomStringConvertible {
    /// Portico's counterpart.
    var portico: TranscodingOptions {
        TranscodingOptions(emitUnpopulated: unpopulated, useProtoNames: protoNames, enumsAsInts: enumsAsInts)
    }

    /// SwiftProtobuf's counterpart; nil with `unpopulated`, which SwiftProtobuf 1.39 has no option for.
    var swiftProtobuf: JSONEncodingOptions? {
        guard !unpopulated else { return nil }
        var options = JSONEncodingOptions()
        options.preserveProtoFieldNames = protoNames
        options.alwaysPrintEnumsAsInts = enumsAsInts
        return options
    }

    var description: String {
        let names = [(protoNames, "useProtoNames"), (unpopulated, "emitUnpopulated"), (enumsAsInts, "enumsAsInts")]
        let set = names.filter(\.0).map(\.1)
        return set.isEmpty ? "defaults" : set.joined(separator: "+")
    }
}
