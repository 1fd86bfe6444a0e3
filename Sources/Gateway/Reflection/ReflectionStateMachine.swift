/// The logic of one reflection exchange with a pod, as a value: which question to ask next, what is still
/// missing, and when it is done or failed. The `ReflectionExchange` feeds it the connection's events and
/// carries out the actions it returns.
///
/// The exchange opens a `grpc.reflection.v1` stream (a `grpc.reflection.v1alpha` one when the pod answers
/// UNIMPLEMENTED before any message) and asks, one question at a time on that stream: `list_services`, then
/// `file_containing_symbol` for each service but the reflection services, then `file_by_filename` for each
/// file that a received file imports and no answer has carried yet, until the set of files is closed.
struct ReflectionStateMachine {
    /// What the exchange must do next.
    enum Action: Equatable {
        /// Open the connection to the pod.
        case connect
        /// Open a `ServerReflectionInfo` stream of `version` and send `request` on it.
        case openStream(ReflectionServiceVersion, sending: ReflectionRequest)
        /// Send `request` on the open stream.
        case send(ReflectionRequest)
        /// The exchange is over: report the descriptors and close the connection.
        case succeed(ReflectedDescriptors)
        /// The exchange is over: report the error and close the connection.
        case fail(ReflectionError)
        /// Nothing to do.
        case none

        static func == (left: Action, right: Action) -> Bool {
            switch (left, right) {
            case (.connect, .connect), (.none, .none): true
            case (.openStream(let a, let b), .openStream(let c, let d)): a == c && b == d
            case (.send(let a), .send(let b)): a == b
            case (.succeed(let a), .succeed(let b)): a == b
            case (.fail(let a), .fail(let b)): a.code == b.code && a.message == b.message
            default: false
            }
        }
    }

    /// The state of an open stream: what was asked, what is known.
    struct Asking {
        var version: ReflectionServiceVersion
        /// The question whose answer is awaited.
        var asked: ReflectionRequest = .listServices
        /// Whether the stream carried an answer yet (after one, UNIMPLEMENTED is no reason to fall back).
        var hasAnswer = false
        /// The services listed, reflection services left out.
        var services: [String] = []
        /// Services whose file is still to be asked for.
        var servicesToAsk: ArraySlice<String> = []
        /// The files received by name, and their names in the order they came.
        var files: [String: ReflectedFile] = [:]
        var fileOrder: [String] = []
    }

    private enum State {
        case idle
        case connecting
        case asking(Asking)
        case finished
    }

    private var state = State.idle

    /// Whether the exchange is over (succeeded or failed).
    var isFinished: Bool {
        if case .finished = state { return true }
        return false
    }

    /// Starts the exchange.
    mutating func start() -> Action {
        guard case .idle = state else { return .none }
        state = .connecting
        return .connect
    }

    /// The connection is up (HTTP/2 SETTINGS exchanged).
    mutating func connected() -> Action {
        guard case .connecting = state else { return .none }
        state = .asking(Asking(version: .v1))
        return .openStream(.v1, sending: .listServices)
    }

    /// The connection could not be opened.
    mutating func connectFailed(_ error: HTTP2Error) -> Action {
        guard case .connecting = state else { return .none }
        if error.code == .handshakeTimeout {
            return fail(.timeout, "the pod accepted the connection but spoke no HTTP/2", cause: error)
        }
        return fail(.unreachable, "the connection failed", cause: error)
    }

    /// A response message arrived on the stream of `version`.
    mutating func receivedMessage(_ bytes: [UInt8], version: ReflectionServiceVersion) -> Action {
        guard case .asking(var asking) = state, asking.version == version else { return .none }
        let response: ReflectionResponse
        do throws(ReflectionError) {
            response = try ReflectionResponse(serializedBytes: bytes)
        } catch {
            return fail(.malformedAnswer, "the answer to \(asking.asked): \(error.message)", cause: error.cause)
        }
        asking.hasAnswer = true
        switch (asking.asked, response) {
        case (.listServices, .services(let names)):
            var seen: Set<String> = []
            asking.services = names.filter {
                !$0.isEmpty && !$0.hasPrefix("grpc.reflection.") && seen.insert($0).inserted
            }
            asking.servicesToAsk = asking.services[...]
        case (.fileContainingSymbol, .files(let files)):
            asking.add(files)
        case (.fileByFilename(let name), .files(let files)):
            asking.add(files)
            guard asking.files[name] != nil else {
                return fail(.malformedAnswer, "the answer to \(asking.asked) does not hold that file")
            }
        case (_, .error(let code, let message)):
            return fail(.serverError, "\(asking.asked) failed with status \(code): \(message)")
        default:
            return fail(.malformedAnswer, "the answer to \(asking.asked) answers another question")
        }
        return next(asking)
    }

    /// The stream of `version` carried bytes that are no gRPC message the client can read (compressed, or larger
    /// than its limit).
    mutating func receivedUnreadableMessage(_ reason: String, version: ReflectionServiceVersion) -> Action {
        guard case .asking(let asking) = state, asking.version == version else { return .none }
        return fail(.malformedAnswer, "the answer to \(asking.asked) cannot be read: \(reason)")
    }

    /// The stream of `version` ended with a gRPC status (in its trailers, in a trailers-only response, or as the
    /// mapping of a non-200 HTTP status).
    mutating func receivedStatus(_ code: GRPCStatusCode, message: String, version: ReflectionServiceVersion) -> Action {
        guard case .asking(let asking) = state, asking.version == version else { return .none }
        switch code {
        case .unimplemented where !asking.hasAnswer && version == .v1:
            state = .asking(Asking(version: .v1alpha))
            return .openStream(.v1alpha, sending: .listServices)
        case .unimplemented where !asking.hasAnswer:
            return fail(.unimplemented, "the pod serves neither grpc.reflection.v1 nor v1alpha: \(message)")
        case .ok:
            return fail(.malformedAnswer, "the pod ended the stream before answering \(asking.asked)")
        default:
            return fail(
                .serverError, "the stream ended with grpc-status \(code.rawValue) at \(asking.asked): \(message)")
        }
    }

    /// The stream of `version` closed; `error` is set when it was reset or the connection was lost.
    mutating func streamClosed(error: HTTP2Error?, version: ReflectionServiceVersion) -> Action {
        guard case .asking(let asking) = state, asking.version == version else { return .none }
        guard let error else {
            return fail(.malformedAnswer, "the stream ended without a grpc-status at \(asking.asked)")
        }
        if error.isConnectionFailure {
            return fail(.unreachable, "the connection was lost at \(asking.asked)", cause: error)
        }
        return fail(.serverError, "the stream was reset at \(asking.asked)", cause: error)
    }

    /// The exchange's time is up.
    mutating func timedOut(after timeout: Duration) -> Action {
        switch state {
        case .finished:
            return .none
        case .idle, .connecting:
            return fail(.timeout, "no connection within \(timeout)")
        case .asking(let asking):
            return fail(.timeout, "no complete answer within \(timeout) (waiting for \(asking.asked))")
        }
    }

    private mutating func next(_ asking: Asking) -> Action {
        var asking = asking
        if let service = asking.servicesToAsk.popFirst() {
            asking.asked = .fileContainingSymbol(service)
        } else if let missing = asking.firstMissingDependency() {
            asking.asked = .fileByFilename(missing)
        } else {
            state = .finished
            return .succeed(
                ReflectedDescriptors(services: asking.services, files: asking.sortedFiles(), version: asking.version)
            )
        }
        state = .asking(asking)
        return .send(asking.asked)
    }

    private mutating func fail(_ code: ReflectionError.Code, _ message: String, cause: (any Error)? = nil) -> Action {
        state = .finished
        return .fail(ReflectionError(code: code, message: message, cause: cause))
    }
}

extension ReflectionStateMachine.Asking {
    /// Keeps the files not received before (the first copy of a name wins).
    mutating func add(_ received: [ReflectedFile]) {
        for file in received where files[file.name] == nil {
            files[file.name] = file
            fileOrder.append(file.name)
        }
    }

    /// The first import of a received file that no answer carried.
    func firstMissingDependency() -> String? {
        for name in fileOrder {
            if let missing = files[name]!.dependencies.first(where: { files[$0] == nil }) { return missing }
        }
        return nil
    }

    /// The files, each after the files it imports (imports are acyclic; the order received breaks ties).
    func sortedFiles() -> [ReflectedFile] {
        var sorted: [ReflectedFile] = []
        var placed: Set<String> = []
        func place(_ name: String) {
            guard let file = files[name], placed.insert(name).inserted else { return }
            for dependency in file.dependencies { place(dependency) }
            sorted.append(file)
        }
        for name in fileOrder { place(name) }
        return sorted
    }
}
