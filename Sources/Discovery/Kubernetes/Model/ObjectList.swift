/// The reply to a list request: the items and the resource version to watch from.
struct ObjectList<Object: KubernetesObject>: Decodable, Sendable {
    /// The list's metadata.
    struct Meta: Decodable, Sendable {
        /// The collection's version at the time of the list; a watch from it misses nothing.
        var resourceVersion: String?
        /// The token for the next page of a paginated list; nil or empty on the last page.
        var `continue`: String?
    }

    /// The list's metadata.
    var metadata: Meta
    /// The objects (the API sends `null` for none).
    var items: [Object]

    private enum CodingKeys: String, CodingKey { case metadata, items }

    /// Creates a list.
    init(metadata: Meta, items: [Object]) {
        self.metadata = metadata
        self.items = items
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try container.decode(Meta.self, forKey: .metadata)
        items = try container.decodeIfPresent([Object].self, forKey: .items) ?? []
    }
}
