import Synchronization

/// The message types of every backend's descriptors in one config, by full name, for a
/// `google.protobuf.Any` whose `@type` the backend's own descriptors lack (a backend may pass on another's
/// messages). The first backend to define a name wins; each backend's own definitions come first for its
/// calls.
package final class TypeDirectory: Sendable {
    private struct Entry {
        /// Weak: the tables hold the directory, and a reload's new tables replace these.
        weak var table: SchemaTable?
        let index: Int
    }

    private let entries = Mutex<[String: Entry]>([:])

    package init() {}

    /// Adds the message types of `table` that no table added before defines.
    func add(_ table: SchemaTable) {
        entries.withLock { entries in
            for (name, index) in table.messageIndices where entries[name]?.table == nil {
                entries[name] = Entry(table: table, index: index)
            }
        }
    }

    /// The table and index of the message type `name`, if some backend defines it.
    func resolve(_ name: String) -> (table: SchemaTable, index: Int)? {
        entries.withLock { entries in
            entries[name].flatMap { entry in entry.table.map { ($0, entry.index) } }
        }
    }
}
