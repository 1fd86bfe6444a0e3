import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2

/// The demo gRPC backends that `portico demo` runs behind the gateway, and that the gateway's end-to-end
/// tests use as real backends.
public enum DemoBackend {
    /// Which demo service a backend serves.
    public enum Kind: String, Sendable, CaseIterable {
        /// `portico.demo.library.v1.LibraryService`: shelves and books in memory.
        case library
        /// `portico.demo.echo.v1.EchoService`: echoes, with knobs for delays, failures and metadata.
        case echo

        /// The fully qualified gRPC service name, e.g. "portico.demo.echo.v1.EchoService".
        public var serviceName: String {
            switch self {
            case .library: Portico_Demo_Library_V1_LibraryService.descriptor.fullyQualifiedService
            case .echo: Portico_Demo_Echo_V1_EchoService.descriptor.fullyQualifiedService
            }
        }
    }

    /// Starts one demo gRPC server (plaintext HTTP/2) and returns once it listens.
    ///
    /// - Parameters:
    ///   - kind: The service it serves.
    ///   - name: The instance's name, e.g. "echo-1": echo replies carry it in `served_by`, and every response
    ///     carries it in the `served-by` metadata key.
    ///   - host: The IPv4 address to listen on.
    ///   - port: The port to listen on; 0 picks a free one (see ``RunningDemoBackend/port``).
    ///   - maxConcurrentStreams: The HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS the server advertises; nil keeps
    ///     grpc-swift's default (4096).
    ///   - libraryStore: For `.library`, the shelves and books to serve; pass the same store to several
    ///     instances to make them one library. Nil gives the instance its own seeded store. Ignored for `.echo`.
    /// - Returns: The running backend; call ``RunningDemoBackend/stop(gracePeriod:)`` to stop it.
    /// - Throws: If the server cannot listen, e.g. because the port is taken.
    public static func start(
        kind: Kind,
        name: String,
        host: String = "127.0.0.1",
        port: Int = 0,
        maxConcurrentStreams: Int? = nil,
        libraryStore: LibraryStore? = nil
    ) async throws -> RunningDemoBackend {
        let service: any RegistrableRPCService =
            switch kind {
            case .library: LibraryService(name: name, store: libraryStore ?? LibraryStore())
            case .echo: EchoService(name: name)
            }
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: host, port: port),
            transportSecurity: .plaintext,
            config: .defaults { config in
                if let maxConcurrentStreams {
                    config.http2.maxConcurrentStreams = maxConcurrentStreams
                }
            }
        )
        return try await RunningDemoBackend.start(
            kind: kind,
            name: name,
            server: GRPCServer(transport: transport, services: [service, DemoReflectionService(kind: kind)])
        )
    }

    /// The `FileDescriptorSet` shipped with the demo for `kind` (with imports, so it stands alone): the file a
    /// gateway needs to route to the service.
    ///
    /// - Parameter kind: The service.
    /// - Returns: The URL of `library.pb` or `echo.pb` in the module's resource bundle.
    public static func descriptorSetURL(for kind: Kind) -> URL {
        guard let url = Bundle.module.url(forResource: kind.rawValue, withExtension: "pb", subdirectory: "Descriptors")
        else {
            preconditionFailure("the DemoServices bundle lacks Descriptors/\(kind.rawValue).pb")
        }
        return url
    }
}
