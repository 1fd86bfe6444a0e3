/// Prints a response message (protobuf wire bytes) as proto3 JSON.
package struct ResponseTranscoder: Sendable {
    private let table: SchemaTable
    private let messageIndex: Int
    private let options: TranscodingOptions
    /// The resolved `response_body` field path, if the binding has one.
    private let responseBody: [Int]?
    /// The slots to the `google.api.HttpBody` whose bytes are the reply instead of JSON, if the reply (or its
    /// `response_body` field) is one.
    private let httpBody: [Int]?

    /// - Parameters:
    ///   - method: the method whose output message is printed.
    ///   - binding: the matched HTTP binding; its `responseBody` selects the field printed instead of the
    ///     whole message (a path the message does not have prints the whole message; `DescriptorPool`
    ///     rejects such rules).
    ///   - options: how JSON is printed.
    package init(method: MethodDescriptor, binding: HTTPBinding?, options: TranscodingOptions) {
        self.table = method.output.table
        self.messageIndex = method.output.index
        self.options = options
        let responseBody = binding?.responseBody.flatMap {
            FieldPath.resolve($0, in: method.output.table.messages[method.output.index], table: method.output.table)
        }
        self.responseBody = responseBody
        self.httpBody = HTTPBodyMessage.slots(along: responseBody, in: method.output.index, table: method.output.table)
    }

    /// Whether replies are raw bytes with their own content type (`google.api.HttpBody`) rather than JSON.
    package var repliesWithHTTPBody: Bool { httpBody != nil }

    /// The content type and the range of the bytes of a `google.api.HttpBody` reply (see
    /// `repliesWithHTTPBody`) in `message`.
    /// - Throws: `TranscodingError` with code `malformedMessage` when the bytes are not a valid encoding.
    package func httpBody(message: UnsafeRawBufferPointer) throws(TranscodingError) -> (
        contentType: String, data: Range<Int>
    ) {
        try HTTPBodyMessage.read(message, along: httpBody ?? [], in: messageIndex, table: table)
    }

    /// Appends the JSON of the message in `message` (or of its `response_body` field) to `output`, indented
    /// as `options.indent` says.
    /// - Throws: `TranscodingError` with code `malformedMessage` when the bytes are not a valid encoding,
    ///   `tooDeep` when messages nest deeper than `maxDepth`.
    package func encodeJSON(message: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(TranscodingError) {
        var encoder = WireToJSONEncoder(table: table, options: options, bytes: message)
        encoder.segments.append(0..<message.count)
        let start = output.count
        if let responseBody {
            try encoder.writeResponseBody(responseBody[...], in: messageIndex, segments: 0..<1, depth: 0, into: &output)
        } else {
            try encoder.writeMessage(messageIndex, segments: 0..<1, depth: 0, into: &output)
        }
        if options.indent > 0 {
            let compact = output[start...]
            output.removeSubrange(start...)
            JSONIndentation.indent(compact, width: options.indent, into: &output)
        }
    }

    /// The JSON array of the `details` of the `google.rpc.Status` a backend sent in its
    /// `grpc-status-details-bin` metadata (base64, padded or not), for the error body: each detail is a
    /// `google.protobuf.Any` printed with its `@type`, resolved against the backend's descriptors and the
    /// google.rpc error types every pool holds.
    /// - Throws: `TranscodingError` when the value is not base64 of a `Status`, or a detail's type is unknown.
    package func encodeStatusDetails(base64 text: String) throws(TranscodingError) -> [UInt8] {
        guard let (statusTable, status) = table.resolveAnyType("google.rpc.Status"),
            let details = FieldPath.resolve(["details"], in: statusTable.messages[status], table: statusTable)
        else {
            throw TranscodingError(code: .malformedMessage, message: "google.rpc.Status is not among the descriptors")
        }
        var bytes: [UInt8] = []
        var failure: TranscodingError?
        Array(text.utf8).withUnsafeBytes { base64 in
            do throws(TranscodingError) { try Base64.decode(base64, into: &bytes) } catch { failure = error }
        }
        if let failure { throw failure }
        var output: [UInt8] = []
        bytes.withUnsafeBytes { message in
            var encoder = WireToJSONEncoder(table: statusTable, anyTypes: table, options: options, bytes: message)
            encoder.segments.append(0..<message.count)
            do throws(TranscodingError) {
                try encoder.writeResponseBody(details[...], in: status, segments: 0..<1, depth: 0, into: &output)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return output
    }
}
