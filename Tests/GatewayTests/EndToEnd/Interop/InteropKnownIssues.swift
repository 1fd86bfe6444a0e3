import PorticoTestSupport
import Testing

/// Failures of the interop matrix that are known and being fixed elsewhere: the cases they hit run inside
/// `withKnownIssue`, so the rest of the matrix stays green while they are reported. Remove an entry once
/// its fix is merged (a known issue that no longer happens then fails its cases, as a reminder).
enum InteropKnownIssues {
    /// JSON request bodies over about 70 KB never get a reply from Python grpcio backends (issue 8); native
    /// gRPC through the gateway and the other stacks are not affected.
    static func jsonBodyHangs(_ stack: InteropStack, _ size: InteropSize) -> Bool {
        stack == .python && size.bytes > 70_000
    }

    /// Runs a JSON case, as a known issue if `known`.
    static func run(known: Bool, _ body: () async throws -> Void) async throws {
        guard known else { return try await body() }
        // Intermittent: on a loaded machine some of these cases get through.
        await withKnownIssue("JSON bodies over ~70 KB hang against Python grpcio backends", isIntermittent: true) {
            try await body()
        }
    }
}
