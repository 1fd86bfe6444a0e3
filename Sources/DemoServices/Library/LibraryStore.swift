import Foundation
import GRPCCore
import SwiftProtobuf
import Synchronization

/// The in-memory shelves and books behind one or more demo library backends.
///
/// Library backends started with the same store serve the same data, so a gateway balancing across them
/// behaves like one library: a book created through one instance can be read through another.
public final class LibraryStore: Sendable {
    private let catalog: Mutex<LibraryCatalog>

    /// Creates a store.
    ///
    /// - Parameter seeded: Whether it starts with the demo's two shelves and six books (see the README's curl
    ///   commands) rather than empty.
    public init(seeded: Bool = true) {
        self.catalog = Mutex(seeded ? LibraryCatalog.seeded() : LibraryCatalog())
    }

    /// Reads the catalog under the lock.
    func read<Result: Sendable>(
        _ body: (LibraryCatalog) throws(RPCError) -> Result
    ) throws(RPCError) -> Result {
        try self.catalog.withLock { catalog throws(RPCError) in try body(catalog) }
    }

    /// Changes the catalog under the lock; `body` gets the current time as a protobuf timestamp.
    func write<Result: Sendable>(
        _ body: (inout LibraryCatalog, Google_Protobuf_Timestamp) throws(RPCError) -> Result
    ) throws(RPCError) -> Result {
        let now = Google_Protobuf_Timestamp(date: Date())
        return try self.catalog.withLock { catalog throws(RPCError) in try body(&catalog, now) }
    }
}
