// libFuzzer target: arbitrary bytes as a response message through ResponseTranscoder.encodeJSON. The first
// byte picks the printing options (bit 0 emitUnpopulated, 1 useProtoNames, 2 enumsAsInts, 3 int64AsNumbers,
// 4 indent 2) and, in bits 5–7, the message: 0–4 `portico.test.Everything`, 5 `ListBooksResponse` through
// ListBooks' `response_body: "books"`, 6 `portico.test.WellKnown`, 7 the rest as base64 `grpc-status-details-bin`
// (encodeStatusDetails). Whenever printing succeeds, the JSON must read back through RequestTranscoder (a
// round trip), unless it came from a `response_body` selection, which prints a field rather than a message.

import Gateway

private let everything = FuzzSchema.method(for: "portico.test.Everything")
private let wellKnown = FuzzSchema.method(for: "portico.test.WellKnown")
private let listBooks = FuzzSchema.libraryMethod("ListBooks")

private func transcoders(_ options: TranscodingOptions) -> [(ResponseTranscoder, RequestTranscoder?)] {
    [
        (
            ResponseTranscoder(method: everything, binding: nil, options: options),
            RequestTranscoder(method: everything, binding: nil, options: options)
        ),
        (ResponseTranscoder(method: listBooks.method, binding: listBooks.binding, options: options), nil),
        (
            ResponseTranscoder(method: wellKnown, binding: nil, options: options),
            RequestTranscoder(method: wellKnown, binding: nil, options: options)
        ),
    ]
}

/// The transcoders for each of the 32 option combinations, built once.
private let byOptions: [[(ResponseTranscoder, RequestTranscoder?)]] = (0..<32).map { bits in
    transcoders(
        TranscodingOptions(
            emitUnpopulated: bits & 1 != 0, useProtoNames: bits & 2 != 0, enumsAsInts: bits & 4 != 0,
            int64AsNumbers: bits & 8 != 0, indent: bits & 16 != 0 ? 2 : 0))
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzWireToJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let selector = Int(data[0])
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let choices = byOptions[selector & 31]
    let message = selector >> 5
    if message == 7 {
        _ = try? choices[0].0.encodeStatusDetails(base64: String(decoding: input, as: UTF8.self))
        return 0
    }
    let (printer, reader) = message <= 4 ? choices[0] : message == 5 ? choices[1] : choices[2]
    var json: [UInt8] = []
    let printed = withBytes(input) { bytes throws(TranscodingError) in
        try printer.encodeJSON(message: bytes, into: &json)
    }
    if case .success = printed, let reader {
        var wire: [UInt8] = []
        let read = withBytes(json) { body throws(TranscodingError) in
            try reader.encodeRequest(body: body, pathVariables: [], query: nil, into: &wire)
        }
        if case .failure(let error) = read {
            fatalError("printed JSON does not read back: \(error); JSON \(String(decoding: json, as: UTF8.self))")
        }
    }
    return 0
}
