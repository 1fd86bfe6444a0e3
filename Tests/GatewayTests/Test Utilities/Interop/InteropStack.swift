import Foundation
import Testing

/// A gRPC server stack that the interop matrix runs the demo echo service on, behind a real `portico`.
enum InteropStack: String, Sendable, CustomTestStringConvertible {
    /// Python grpcio (gRPC C-core): Tests/helpers/demo_echo_backend.py.
    case python
    /// grpc-go, Debian's: Tests/helpers/go-echo.
    case go
    /// grpc-swift-2: the DemoServices echo backend, as `portico demo-backend --kind echo`.
    case swift

    /// The backend instance's name, which replies carry in `served_by` and the `served-by` metadata key.
    var backendName: String { "\(rawValue)-1" }

    var testDescription: String { rawValue }

    /// The repository's root.
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
}
