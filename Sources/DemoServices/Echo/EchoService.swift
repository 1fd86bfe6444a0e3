import GRPCCore
import GRPCProtobuf

/// The demo `portico.demo.echo.v1.EchoService`, the workhorse of the gateway's end-to-end tests.
///
/// It works at the streaming level so that it can fail either after sending response headers or with a
/// trailers-only response, the two shapes of a gRPC error a proxy must handle. Every response carries the
/// `served-by` metadata key with the instance's name, in its headers or, if trailers-only, in its trailers.
struct EchoService: Portico_Demo_Echo_V1_EchoService.StreamingServiceProtocol {
    /// The most replies one `Expand` call may ask for.
    static let maxExpandCount: Int32 = 10_000
    /// The replies `Expand` sends when asked for 0.
    static let defaultExpandCount: Int32 = 3

    /// The instance's name, e.g. "echo-1".
    let name: String

    func echo(
        request: StreamingServerRequest<EchoRequest>,
        context: ServerContext
    ) async throws -> StreamingServerResponse<EchoResponse> {
        let deadline = Self.deadline(request.metadata)
        let single = try await ServerRequest(stream: request)
        return try await self.reply(to: single.message, metadata: single.metadata, sequence: 0, deadline: deadline)
    }

    func expand(
        request: StreamingServerRequest<ExpandRequest>,
        context: ServerContext
    ) async throws -> StreamingServerResponse<EchoResponse> {
        let deadline = Self.deadline(request.metadata)
        let single = try await ServerRequest(stream: request)
        let expand = single.message
        let failure: RPCError?
        do throws(RPCError) {
            guard (0...Self.maxExpandCount).contains(expand.count), expand.intervalMs >= 0 else {
                throw RPCError(
                    code: .invalidArgument,
                    message: "count must be between 0 and \(Self.maxExpandCount) and interval_ms not negative"
                )
            }
            failure = try Self.requestedFailure(code: expand.failCode, trailers: [:])
        } catch {
            return self.failure(error)
        }
        let count = expand.count == 0 ? Self.defaultExpandCount : expand.count
        let received = Self.received(single.metadata)
        return StreamingServerResponse(metadata: self.servedBy) { writer in
            for sequence in 0..<count {
                try await Self.wait(milliseconds: expand.intervalMs, deadline: deadline)
                var response = EchoResponse()
                response.message = expand.message
                response.servedBy = self.name
                response.receivedMetadata = received
                response.sequence = sequence
                try await writer.write(response)
            }
            if let failure {
                throw failure
            }
            return [:]
        }
    }

    func collect(
        request: StreamingServerRequest<EchoRequest>,
        context: ServerContext
    ) async throws -> StreamingServerResponse<EchoResponse> {
        let deadline = Self.deadline(request.metadata)
        var combined: EchoRequest?
        var messages: [String] = []
        for try await message in request.messages {
            combined = combined ?? message
            messages.append(message.message)
        }
        guard var combined else {
            return self.failure(RPCError(code: .invalidArgument, message: "Collect needs at least one request"))
        }
        combined.message = messages.joined(separator: " ")
        return try await self.reply(
            to: combined,
            metadata: request.metadata,
            sequence: Int32(messages.count),
            deadline: deadline
        )
    }

    func chat(
        request: StreamingServerRequest<EchoRequest>,
        context: ServerContext
    ) async throws -> StreamingServerResponse<EchoResponse> {
        let deadline = Self.deadline(request.metadata)
        let received = Self.received(request.metadata)
        let messages = request.messages
        // The response headers go out before any request is read: a reply per request, as it arrives, is the
        // point of the method.
        return StreamingServerResponse(metadata: self.servedBy) { writer in
            var trailers: Metadata = [:]
            var sequence: Int32 = 0
            for try await message in messages {
                if sequence == 0 {
                    trailers = try Self.metadata(message.responseTrailers, field: "response_trailers")
                }
                if let failure = try Self.requestedFailure(code: message.failCode, trailers: trailers) {
                    throw failure
                }
                guard message.delayMs >= 0 else {
                    throw RPCError(code: .invalidArgument, message: "delay_ms must not be negative")
                }
                try await Self.wait(milliseconds: message.delayMs, deadline: deadline)
                var response = EchoResponse()
                response.message = message.message
                response.servedBy = self.name
                response.receivedMetadata = received
                response.sequence = sequence
                try await writer.write(response)
                sequence += 1
            }
            return trailers
        }
    }

    /// Waits `delay_ms`, then replies once or fails as `request` asks; `deadline` comes from the call's
    /// `grpc-timeout`.
    private func reply(
        to request: EchoRequest,
        metadata: Metadata,
        sequence: Int32,
        deadline: ContinuousClock.Instant?
    ) async throws -> StreamingServerResponse<EchoResponse> {
        let headers: Metadata
        let trailers: Metadata
        let failure: RPCError?
        do throws(RPCError) {
            guard request.delayMs >= 0 else {
                throw RPCError(code: .invalidArgument, message: "delay_ms must not be negative")
            }
            headers = try Self.metadata(request.responseHeaders, field: "response_headers")
            trailers = try Self.metadata(request.responseTrailers, field: "response_trailers")
            failure = try Self.requestedFailure(code: request.failCode, trailers: trailers)
        } catch {
            return self.failure(error)
        }
        try await Self.wait(milliseconds: request.delayMs, deadline: deadline)

        if let failure, headers.isEmpty {
            return self.failure(failure)
        }
        var response = EchoResponse()
        response.message = request.message
        response.servedBy = self.name
        response.receivedMetadata = Self.received(metadata)
        response.sequence = sequence
        var initial = self.servedBy
        initial.add(contentsOf: headers)
        let reply = response
        return StreamingServerResponse(metadata: initial) { writer in
            if let failure {
                throw failure
            }
            try await writer.write(reply)
            return trailers
        }
    }

    /// When the call's `grpc-timeout` runs out, if it has one.
    private static func deadline(_ metadata: Metadata) -> ContinuousClock.Instant? {
        for value in metadata[stringValues: "grpc-timeout"] {
            return GRPCTimeout.parse(value).map { .now + $0 }
        }
        return nil
    }

    /// Waits, or fails with DEADLINE_EXCEEDED if the deadline comes first, as other gRPC servers do.
    ///
    /// A graceful shutdown lets the wait finish; a client that resets the stream does not end it early either.
    private static func wait(milliseconds: Int32, deadline: ContinuousClock.Instant?) async throws {
        guard milliseconds > 0 else {
            return
        }
        let end = ContinuousClock.now + .milliseconds(milliseconds)
        if let deadline, deadline < end {
            try await Task.sleep(until: deadline, clock: .continuous)
            throw RPCError(code: .deadlineExceeded, message: "the deadline passed while the server waited")
        }
        try await Task.sleep(until: end, clock: .continuous)
    }

    private var servedBy: Metadata {
        ["served-by": .string(self.name)]
    }

    /// A trailers-only failure carrying `served-by`.
    private func failure(_ error: RPCError) -> StreamingServerResponse<EchoResponse> {
        var error = error
        error.metadata.addString(self.name, forKey: "served-by")
        return StreamingServerResponse(error: error)
    }

    /// The error a request's `fail_code` asks for, or nil for 0.
    private static func requestedFailure(code: Int32, trailers: Metadata) throws(RPCError) -> RPCError? {
        guard code != 0 else {
            return nil
        }
        guard let status = Status.Code(rawValue: Int(code)), let errorCode = RPCError.Code(status) else {
            throw RPCError(code: .invalidArgument, message: "fail_code \(code) is not a gRPC status code (1-16)")
        }
        // An ErrorInfo detail names the failure (grpc-status-details-bin), as every interop backend sends.
        let detailed = GoogleRPCStatus(
            code: errorCode, message: "requested failure",
            details: .errorInfo(reason: "REQUESTED_FAILURE", domain: "portico.test", metadata: ["code": "\(code)"]))
        var metadata = trailers
        metadata.add(contentsOf: detailed.rpcErrorMetadata)
        return RPCError(code: errorCode, message: "requested failure", metadata: metadata)
    }

    /// Metadata from request entries; keys must be lowercase, and not reserved by HTTP/2 or gRPC.
    private static func metadata(_ entries: [MetadataEntry], field: String) throws(RPCError) -> Metadata {
        var metadata = Metadata()
        for entry in entries {
            let key = entry.key
            let isValid =
                !key.isEmpty && !key.hasPrefix("grpc-") && key != "content-type" && key != "te"
                && key.utf8.allSatisfy { byte in
                    (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                        || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                        || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
                }
            guard isValid else {
                throw RPCError(code: .invalidArgument, message: "\(field) has an invalid or reserved key \"\(key)\"")
            }
            if key.hasSuffix("-bin") {
                metadata.addBinary(Array(entry.binaryValue), forKey: key)
            } else {
                metadata.addString(entry.value, forKey: key)
            }
        }
        return metadata
    }

    /// The request metadata as a map: repeated keys joined with ", ", binary values in base64.
    private static func received(_ metadata: Metadata) -> [String: String] {
        var received: [String: String] = [:]
        for (key, value) in metadata {
            let text = value.encoded()
            if let previous = received[key] {
                received[key] = previous + ", " + text
            } else {
                received[key] = text
            }
        }
        return received
    }
}
