import NIOCore

/// Asks a pod over gRPC server reflection for its services and the descriptor files that define them, with
/// every file they import: the schema of a backend that ships none to the gateway.
///
/// Each call opens its own HTTP/2 connection to the pod and closes it when the answer is complete, failed or
/// late. The exchange's logic is `ReflectionStateMachine`'s.
package struct ReflectionClient: Sendable {
    /// How the client talks to a pod.
    package struct Config: Sendable {
        /// The bound on a whole exchange, connecting included. Default: 10 seconds.
        package var timeout: Duration
        /// The largest response message accepted. Default: 16 MiB.
        package var maxMessageBytes: Int

        /// Creates a configuration.
        /// - Parameters:
        ///   - timeout: The bound on a whole exchange, connecting included.
        ///   - maxMessageBytes: The largest response message accepted.
        package init(timeout: Duration, maxMessageBytes: Int) {
            self.timeout = timeout
            self.maxMessageBytes = maxMessageBytes
        }

        /// A 10-second bound, 16 MiB messages.
        package static var defaults: Self {
            Self(timeout: .seconds(10), maxMessageBytes: 16 << 20)
        }
    }

    /// The client's settings.
    package var config: Config

    /// Creates a client.
    /// - Parameter config: How the client talks to pods.
    package init(config: Config = .defaults) {
        self.config = config
    }

    /// Asks one pod for its schema.
    ///
    /// - Parameters:
    ///   - host: The pod's address (an IP address or a host name).
    ///   - port: The pod's gRPC port.
    ///   - eventLoop: The loop the connection lives on.
    /// - Returns: The pod's services and the files defining them, each file after those it imports.
    /// - Throws: `ReflectionError`: `.unreachable`, `.unimplemented` (no reflection service), `.timeout` (the
    ///   connection is closed then), `.malformedAnswer` or `.serverError`; its `endpoint` is `host:port`.
    package func fetchDescriptors(host: String, port: Int, eventLoop: any EventLoop) async throws(ReflectionError)
        -> ReflectedDescriptors
    {
        let promise = eventLoop.makePromise(of: ReflectedDescriptors.self)
        let config = self.config
        eventLoop.execute {
            ReflectionExchange(host: host, port: port, eventLoop: eventLoop, config: config, promise: promise).start()
        }
        do {
            return try await promise.futureResult.get()
        } catch let error as ReflectionError {
            throw error
        } catch {
            throw ReflectionError(
                code: .unreachable, message: "the exchange failed", endpoint: "\(host):\(port)", cause: error)
        }
    }
}
