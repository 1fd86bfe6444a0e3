/// A namespaced name: of an object, or of the Service objects belong to.
struct ObjectKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The namespace.
    var namespace: String
    /// The name within the namespace.
    var name: String

    /// Creates a key.
    init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }

    var description: String { "\(namespace)/\(name)" }
}
