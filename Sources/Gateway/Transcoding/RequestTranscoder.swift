/// Builds the protobuf encoding of a request message from an HTTP request: the JSON body (as the binding's
/// `body` says), then path variables, then query parameters. Later encodings override earlier ones by
/// protobuf's merge rule, so path values win over body values.
package struct RequestTranscoder: Sendable {
    private enum Body: Sendable {
        case none
        case wholeMessage
        case field([Int])
        /// The raw HTTP body, with its content type, fills the `google.api.HttpBody` along these slots (none:
        /// the request message is one).
        case httpBody([Int])
        case unresolved(String)
    }

    private let table: SchemaTable
    private let messageIndex: Int
    private let options: TranscodingOptions
    private let body: Body
    /// The field mask a PATCH request implies when the client sends none.
    private let impliedMask: ImpliedFieldMask?

    /// - Parameters:
    ///   - method: the method whose input message is built.
    ///   - binding: the matched HTTP binding; nil means `POST /pkg.Service/Method` with body `*`.
    ///   - options: `maxDepth` applies to the JSON body; the printing options are ignored here.
    package init(method: MethodDescriptor, binding: HTTPBinding?, options: TranscodingOptions) {
        self.table = method.input.table
        self.messageIndex = method.input.index
        self.options = options
        let table = method.input.table
        let message = method.input.index
        switch binding?.body ?? .wholeMessage {
        case .none:
            self.body = .none
        case .wholeMessage:
            self.body = HTTPBodyMessage.slots(along: nil, in: message, table: table) == nil ? .wholeMessage : .httpBody([])
        case .field(let path):
            if let slots = FieldPath.resolve(path, in: table.messages[message], table: table) {
                self.body =
                    HTTPBodyMessage.slots(along: slots, in: message, table: table) == nil
                    ? .field(slots) : .httpBody(slots)
            } else {
                self.body = .unresolved(path.joined(separator: "."))
            }
        }
        if case .field(let slots) = self.body {
            self.impliedMask = ImpliedFieldMask(binding: binding, bodySlots: slots, request: messageIndex, table: table)
        } else {
            self.impliedMask = nil
        }
    }

    /// Appends the protobuf wire encoding of the request message to `output` (the caller reserves the 5-byte
    /// gRPC message prefix first).
    ///
    /// A PATCH whose body is one message field, on a request with one `google.protobuf.FieldMask` field the
    /// query does not set, gets the mask of the body's fields (grpc-gateway's behaviour).
    /// - Parameters:
    ///   - body: the HTTP request body (JSON); empty means an empty message or field. A `null` whole-message
    ///     body is refused, as protobuf's own JSON parsers refuse it; `null` for a body field leaves it unset.
    ///     When the body is a `google.api.HttpBody` (the request message, or the body field), the bytes are its
    ///     `data` as they are, whatever their content type.
    ///   - pathVariables: decoded path template variables; each field path step is a proto or JSON name.
    ///   - query: the raw query string without `?`. Ignored when the body is `*`. Parameters that name no
    ///     field, or that name a field bound to the body or a path variable, are ignored (grpc-gateway).
    ///   - contentType: the request's `Content-Type`, for a `google.api.HttpBody` body.
    /// - Throws: `TranscodingError` naming the offending field.
    package func encodeRequest(
        body: UnsafeRawBufferPointer,
        pathVariables: [(fieldPath: [String], value: String)],
        query: Substring?,
        contentType: String? = nil,
        into output: inout [UInt8]
    ) throws(TranscodingError) {
        var encoder = JSONToWireEncoder(
            table: table, maxDepth: options.maxDepth, discardUnknownFields: options.discardUnknownFields, json: body)
        defer { encoder.deallocate() }
        switch self.body {
        case .none:
            break
        case .wholeMessage:
            if !encoder.reader.isAtEnd() {
                if try encoder.reader.peek() == UInt8(ascii: "n") {
                    throw TranscodingError(
                        code: .wrongType,
                        message: "the body is null; expected a JSON object for "
                            + "\(table.messages[messageIndex].fullName)", offset: 0)
                } else {
                    try encoder.encodeMessage(messageIndex, depth: 0, into: &output)
                }
                guard encoder.reader.isAtEnd() else {
                    throw encoder.reader.error("unexpected data after the JSON value")
                }
            }
        case .field(let slots):
            if !encoder.reader.isAtEnd() {
                try encoder.encode(.json(depth: slots.count - 1), along: slots[...], in: messageIndex, into: &output)
                guard encoder.reader.isAtEnd() else {
                    throw encoder.reader.error("unexpected data after the JSON value")
                }
            }
        case .httpBody(let slots):
            HTTPBodyMessage.encode(
                contentType: (contentType ?? "")[...], data: body, along: slots, in: messageIndex, table: table,
                into: &output)
        case .unresolved(let path):
            throw TranscodingError(code: .unknownField, fieldPath: path, message: "the body field does not exist")
        }

        var boundPaths: [[Int]] = []
        if case .field(let slots) = self.body { boundPaths.append(slots) }
        if case .httpBody(let slots) = self.body, !slots.isEmpty { boundPaths.append(slots) }
        for variable in pathVariables {
            guard let slots = FieldPath.resolve(variable.fieldPath, in: table.messages[messageIndex], table: table)
            else {
                throw TranscodingError(
                    code: .unknownField,
                    fieldPath: variable.fieldPath.joined(separator: "."),
                    message: "the path variable names no field of \(table.messages[messageIndex].fullName)"
                )
            }
            var value = variable.value
            var failure: TranscodingError?
            value.withUTF8 { buffer in
                do throws(TranscodingError) {
                    try encoder.encode(
                        .text(UnsafeRawBufferPointer(buffer)), along: slots[...], in: messageIndex, into: &output)
                } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
            boundPaths.append(slots)
        }

        var maskSent = false
        if let query, !query.isEmpty, !isWholeMessageBody {
            maskSent = try encodeQuery(
                query, boundPaths: boundPaths, watching: impliedMask?.maskSlot, encoder: &encoder, into: &output)
        }
        if let impliedMask, !maskSent {
            try impliedMask.encode(
                body: body, request: messageIndex, table: table, maxDepth: options.maxDepth, into: &output)
        }
    }

    private var isWholeMessageBody: Bool {
        switch body {
        case .wholeMessage, .httpBody([]): true
        case .none, .field, .httpBody, .unresolved: false
        }
    }

    /// Encodes the query parameters; returns whether one of them set the top-level field at `watchedSlot`.
    private func encodeQuery(
        _ query: Substring,
        boundPaths: [[Int]],
        watching watchedSlot: Int?,
        encoder: inout JSONToWireEncoder,
        into output: inout [UInt8]
    ) throws(TranscodingError) -> Bool {
        var setsWatched = false
        var name: [UInt8] = []
        var value: [UInt8] = []
        var slots: [Int] = []
        for parameter in query.split(separator: "&", omittingEmptySubsequences: true) {
            guard let equals = parameter.firstIndex(of: "=") else { continue }
            let escapesValid =
                PercentDecoding.decodeQueryComponent(parameter[..<equals].utf8, into: &name)
                && PercentDecoding.decodeQueryComponent(parameter[parameter.index(after: equals)...].utf8, into: &value)
            guard escapesValid else {
                throw TranscodingError(
                    code: .invalidQuery,
                    message: "the query parameter \(String(parameter).debugDescription) has a malformed percent escape "
                        + "(% must be followed by two hex digits)")
            }
            // `map[key]=value` sets one entry of a map field (grpc-gateway's syntax).
            var mapKey: ArraySlice<UInt8>?
            if name.last == UInt8(ascii: "]"), let open = name.firstIndex(of: UInt8(ascii: "[")) {
                mapKey = name[(open + 1)..<(name.count - 1)]
                name.removeSubrange(open...)
            }
            guard resolveParameter(name, endingAtMap: mapKey != nil, into: &slots),
                !boundPaths.contains(where: { bound in bound.count <= slots.count && slots.starts(with: bound) })
            else { continue }
            var failure: TranscodingError?
            value.withUnsafeBytes { buffer in
                (mapKey ?? []).withUnsafeBytes { key in
                    do throws(TranscodingError) {
                        let leaf: JSONToWireEncoder.Leaf =
                            mapKey == nil ? .text(buffer) : .mapEntry(key: key, value: buffer)
                        try encoder.encode(leaf, along: slots[...], in: messageIndex, into: &output)
                    } catch {
                        failure = error
                    }
                }
            }
            if let failure { throw failure }
            if slots.first == watchedSlot { setsWatched = true }
        }
        return setsWatched
    }

    /// Resolves a dotted parameter name to field slots; false when a step is unknown, traverses something
    /// other than a singular message, or ends at a message without a text form, or at a map unless
    /// `endingAtMap` (and then anywhere else).
    private func resolveParameter(_ name: [UInt8], endingAtMap: Bool, into slots: inout [Int]) -> Bool {
        slots.removeAll(keepingCapacity: true)
        var layout = table.messages[messageIndex]
        var stepStart = 0
        return name.withUnsafeBytes { bytes in
            while true {
                var stepEnd = stepStart
                while stepEnd < bytes.count, bytes[stepEnd] != UInt8(ascii: ".") { stepEnd += 1 }
                guard
                    let slot = layout.fieldsByName.lookup(UnsafeRawBufferPointer(rebasing: bytes[stepStart..<stepEnd]))
                else { return false }
                let field = layout.fields[Int(slot)]
                slots.append(Int(slot))
                if stepEnd == bytes.count {
                    if field.isMap || endingAtMap { return field.isMap && endingAtMap }
                    return field.kind != .message || table.messages[field.typeIndex].wellKnown != nil
                }
                guard field.kind == .message, !field.isRepeated, table.messages[field.typeIndex].wellKnown == nil else {
                    return false
                }
                layout = table.messages[field.typeIndex]
                stepStart = stepEnd + 1
            }
        }
    }
}
