// Transcoder throughput benchmark: Portico's RequestTranscoder (JSON → wire) and ResponseTranscoder (wire →
// JSON) beside SwiftProtobuf's generated code doing the same conversion, on a small, a medium and a large
// message. Built and run by bench/transcoding.sh; see bench/README.md.

import Dispatch
import Foundation
import Gateway
import SwiftProtobuf

@_silgen_name("bench_allocation_count")
func allocationCount() -> Int

let descriptorPath = CommandLine.arguments.dropFirst().first ?? "Tests/GatewayTests/Resources/transcoding_test.pb"
let secondsPerMeasurement = Double(ProcessInfo.processInfo.environment["SECONDS_PER_RUN"] ?? "") ?? 1.0
let rounds = Int(ProcessInfo.processInfo.environment["ROUNDS"] ?? "") ?? 3
/// `ONLY=large` (or small, medium) measures one size, e.g. under `perf record`.
let only = ProcessInfo.processInfo.environment["ONLY"]

guard let descriptorBytes = FileManager.default.contents(atPath: descriptorPath) else {
    fatalError("cannot read \(descriptorPath)")
}
let pool = try DescriptorPool(descriptorSets: [(source: descriptorPath, bytes: Array(descriptorBytes))])

/// One conversion to time: a closure that converts the input once and returns the output's size.
struct Conversion {
    var name: String
    var run: () throws -> Int
}

/// Runs `conversion` repeatedly for about `seconds`; returns the time per call in seconds.
func secondsPerCall(_ conversion: Conversion, seconds: Double) throws -> Double {
    var calls = 0
    var sink = 0
    let start = DispatchTime.now().uptimeNanoseconds
    var elapsed: UInt64 = 0
    repeat {
        for _ in 0..<8 { sink &+= try conversion.run() }
        calls += 8
        elapsed = DispatchTime.now().uptimeNanoseconds - start
    } while Double(elapsed) < seconds * 1e9
    if sink == 42 { print("") }  // keeps the outputs alive
    return Double(elapsed) / 1e9 / Double(calls)
}

/// Heap allocations per call, counted over `calls` calls after one warm-up call.
func allocationsPerCall(_ conversion: Conversion, calls: Int) throws -> Double {
    _ = try conversion.run()
    let before = allocationCount()
    for _ in 0..<calls { _ = try conversion.run() }
    return Double(allocationCount() - before) / Double(calls)
}

func median(_ values: [Double]) -> Double {
    values.sorted()[values.count / 2]
}

/// Portico's transcoders for one message type, as an unannotated method (body `*`) uses them.
struct PorticoTranscoders {
    let request: RequestTranscoder
    let response: ResponseTranscoder

    init(typeName: String) {
        guard let schema = pool.message(named: typeName) else { fatalError("no message \(typeName)") }
        let method = MethodDescriptor(
            name: "Bench", fullName: "bench.Bench.Bench", grpcPath: "/bench.Bench/Bench", input: schema,
            output: schema, isClientStreaming: false, isServerStreaming: false, httpBindings: [])
        request = RequestTranscoder(method: method, binding: nil, options: .defaults)
        response = ResponseTranscoder(method: method, binding: nil, options: .defaults)
    }

    /// JSON → wire into a new array, as RequestDispatcher does per request.
    func wire(fromJSON json: [UInt8]) throws(TranscodingError) -> [UInt8] {
        var output: [UInt8] = []
        var failure: TranscodingError?
        json.withUnsafeBytes { body in
            do throws(TranscodingError) {
                try request.encodeRequest(body: body, pathVariables: [], query: nil, into: &output)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return output
    }

    /// Wire → JSON into a new array, as RequestDispatcher does per reply.
    func json(fromWire wire: [UInt8]) throws(TranscodingError) -> [UInt8] {
        var output: [UInt8] = []
        var failure: TranscodingError?
        wire.withUnsafeBytes { bytes in
            do throws(TranscodingError) {
                try response.encodeJSON(message: bytes, into: &output)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return output
    }
}

/// The JSON → wire and wire → JSON conversions of one message, by Portico and by the generated code, after
/// checking once that both sides agree.
func conversions<M: SwiftProtobuf.Message & Equatable>(
    _ message: M, typeName: String
) throws -> (json: [UInt8], jsonToWire: [Conversion], wireToJSON: [Conversion]) {
    let json: [UInt8] = try message.jsonUTF8Bytes()
    let wire: [UInt8] = try message.serializedBytes()
    let portico = PorticoTranscoders(typeName: typeName)
    func porticoWire() throws -> [UInt8] { try portico.wire(fromJSON: json) }
    func porticoJSON() throws -> [UInt8] { try portico.json(fromWire: wire) }
    func generatedWire() throws -> [UInt8] { try M(jsonUTF8Bytes: json).serializedBytes() }
    func generatedJSON() throws -> [UInt8] { try M(serializedBytes: wire).jsonUTF8Bytes() }

    // Equivalent outputs: each side's result parses (with the generated code) to the original message.
    guard try M(serializedBytes: porticoWire()) == message, try M(serializedBytes: generatedWire()) == message,
        try M(jsonUTF8Bytes: porticoJSON()) == message, try M(jsonUTF8Bytes: generatedJSON()) == message
    else { fatalError("Portico and SwiftProtobuf disagree on \(typeName)") }

    return (
        json,
        [
            Conversion(name: "portico", run: { try porticoWire().count }),
            Conversion(name: "swift-protobuf", run: { try generatedWire().count }),
        ],
        [
            Conversion(name: "portico", run: { try porticoJSON().count }),
            Conversion(name: "swift-protobuf", run: { try generatedJSON().count }),
        ]
    )
}

let cases: [(size: String, json: [UInt8], jsonToWire: [Conversion], wireToJSON: [Conversion])] = try [
    ("small", conversions(Messages.small, typeName: "portico.test.Book")),
    ("medium", conversions(Messages.medium, typeName: "portico.test.Everything")),
    ("large", conversions(Messages.large, typeName: "portico.test.Everything")),
].map { ($0.0, $0.1.json, $0.1.jsonToWire, $0.1.wireToJSON) }

print("rounds: \(rounds), ≈ \(secondsPerMeasurement) s per measurement; MB/s counts JSON bytes (10^6)")
print(
    "| message | JSON bytes | direction | portico MB/s | swift-protobuf MB/s | ratio | portico allocs/msg | swift-protobuf allocs/msg |"
)
print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |")
for testCase in cases where only == nil || only == testCase.size {
    for (direction, pair) in [("JSON → wire", testCase.jsonToWire), ("wire → JSON", testCase.wireToJSON)] {
        var throughput: [[Double]] = [[], []]
        for _ in 0..<rounds {
            for (index, conversion) in pair.enumerated() {
                let seconds = try secondsPerCall(conversion, seconds: secondsPerMeasurement)
                throughput[index].append(Double(testCase.json.count) / seconds / 1e6)
            }
        }
        let calls = testCase.json.count > 100_000 ? 5 : 1_000
        let allocations = try pair.map { try allocationsPerCall($0, calls: calls) }
        let portico = median(throughput[0])
        let generated = median(throughput[1])
        let detail =
            rounds > 1
            ? " (\(throughput[0].map { String(format: "%.0f", $0) }.joined(separator: "/")) vs \(throughput[1].map { String(format: "%.0f", $0) }.joined(separator: "/")))"
            : ""
        print(
            "| \(testCase.size) | \(testCase.json.count) | \(direction) | \(String(format: "%.1f", portico)) | "
                + "\(String(format: "%.1f", generated)) | \(String(format: "%.2f", portico / generated))× | "
                + "\(String(format: "%.1f", allocations[0])) | \(String(format: "%.1f", allocations[1])) |\(detail)")
    }
}
