// libFuzzer target: arbitrary bytes as an HTTP request body (and query string, path variable) through
// RequestTranscoder.encodeRequest. The first byte picks the method and options:
// - bit 0 clear: the rest is the JSON body of `portico.test.Everything` with body `*`; bit 1 sets
//   `discardUnknownFields`;
// - bit 0 set: an annotated `portico.test.Library` method (bits 1–2: CreateBook with body "book",
//   UpdateBook PATCH with body "book" and an implied field mask, ListBooks GET, GetBook GET); the rest is
//   `body` NUL `query` NUL `path variable value`.
// Whenever encoding succeeds, the wire bytes must print back as JSON (ResponseTranscoder); a failure there
// is a bug of one side or the other and stops the run.

import Gateway

private let everything = FuzzSchema.method(for: "portico.test.Everything")
private let wholeBody = RequestTranscoder(method: everything, binding: nil, options: .defaults)
private let wholeBodyDiscarding = RequestTranscoder(
    method: everything, binding: nil, options: TranscodingOptions(discardUnknownFields: true))
private let printer = ResponseTranscoder(method: everything, binding: nil, options: .defaults)

private let annotated: [(transcoder: RequestTranscoder, printer: ResponseTranscoder, variable: [String])] = [
    ("CreateBook", ["parent"]), ("UpdateBook", ["book", "name"]), ("ListBooks", ["parent"]), ("GetBook", ["name"]),
].map { name, variable in
    let (method, binding) = FuzzSchema.libraryMethod(name)
    let request = FuzzSchema.method(for: method.input.fullName)
    return (
        RequestTranscoder(method: method, binding: binding, options: .defaults),
        ResponseTranscoder(method: request, binding: nil, options: .defaults), variable
    )
}

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzJSONToWire(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let selector = data[0]
    let input = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    var wire: [UInt8] = []
    let check: ResponseTranscoder
    let encoded: Result<Void, TranscodingError>
    if selector & 1 == 0 {
        let transcoder = selector & 2 == 0 ? wholeBody : wholeBodyDiscarding
        check = printer
        encoded = withBytes(input) { body throws(TranscodingError) in
            try transcoder.encodeRequest(body: body, pathVariables: [], query: nil, into: &wire)
        }
    } else {
        let target = annotated[Int(selector >> 1) % annotated.count]
        let parts = input.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        let query = parts.count > 1 ? Substring(String(decoding: parts[1], as: UTF8.self)) : nil
        let variables =
            parts.count > 2 ? [(fieldPath: target.variable, value: String(decoding: parts[2], as: UTF8.self))] : []
        check = target.printer
        encoded = withBytes(Array(parts[0])) { body throws(TranscodingError) in
            try target.transcoder.encodeRequest(
                body: body, pathVariables: variables, query: query, contentType: "application/json", into: &wire)
        }
    }
    if case .success = encoded {
        var json: [UInt8] = []
        let printed = withBytes(wire) { message throws(TranscodingError) in
            try check.encodeJSON(message: message, into: &json)
        }
        if case .failure(let error) = printed {
            fatalError("accepted JSON gave wire bytes that do not print back: \(error); wire \(wire)")
        }
    }
    return 0
}
