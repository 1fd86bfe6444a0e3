/// One event of a watch stream: `{"type": ..., "object": ...}`, the object's shape depending on the type.
enum WatchEvent<Object: KubernetesObject>: Decodable, Sendable {
    /// The object was created (or is part of the initial state).
    case added(Object)
    /// The object changed.
    case modified(Object)
    /// The object was deleted; it is its last state.
    case deleted(Object)
    /// Nothing changed, but the collection is now at this resource version.
    case bookmark(resourceVersion: String?)
    /// The watch failed; a 410 code means the resource version expired.
    case error(Status)

    private enum CodingKeys: String, CodingKey { case type, object }

    private struct BookmarkObject: Decodable { var metadata: ObjectMeta }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "ADDED": self = .added(try container.decode(Object.self, forKey: .object))
        case "MODIFIED": self = .modified(try container.decode(Object.self, forKey: .object))
        case "DELETED": self = .deleted(try container.decode(Object.self, forKey: .object))
        case "BOOKMARK":
            self = .bookmark(
                resourceVersion: try container.decode(BookmarkObject.self, forKey: .object).metadata.resourceVersion)
        case "ERROR": self = .error(try container.decode(Status.self, forKey: .object))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: container, debugDescription: "unknown watch event type \(type)")
        }
    }
}
