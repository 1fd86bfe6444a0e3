/// Prints a response message (protobuf wire bytes) as proto3 JSON.
package struct ResponseTranscoder: Sendable {
    private let table: SchemaTable
    private let messageIndex: Int
    private let options: TranscodingOptions
    /// The resolved `response_body` field path, if the binding has one.
    private let responseBody: [Int]?

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
        self.responseBody = binding?.responseBody.flatMap {
            FieldPath.resolve($0, in: method.output.table.messages[method.output.index], table: method.output.table)
        }
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
}
