/// How JSON is read and written. The defaults follow the proto3 JSON mapping as Envoy's transcoder prints it.
package struct TranscodingOptions: Sendable, Hashable {
    /// Print fields that hold their default value: zeros, `""`, `[]`, `{}`, and `null` for unset messages
    /// (grpc-gateway's `EmitUnpopulated`). Oneof members and proto3 `optional` fields that are unset stay
    /// absent. Default: `false`.
    package var emitUnpopulated: Bool
    /// Print field names as in the .proto file instead of their lowerCamel JSON names. Input accepts both
    /// either way. Default: `false`.
    package var useProtoNames: Bool
    /// Print enum values as numbers instead of names. Default: `false`.
    package var enumsAsInts: Bool
    /// Print 64-bit integers (`int64`, `uint64`, their fixed and zigzag forms, and their wrappers) as JSON
    /// numbers instead of strings. JavaScript and every other reader that parses numbers as IEEE doubles
    /// silently rounds values beyond 2^53; map keys stay strings. Default: `false`.
    package var int64AsNumbers: Bool
    /// Spaces of indentation per nesting level; 0 prints compact JSON on one line. Default: 0.
    package var indent: Int
    /// Drop request JSON fields that name no field of their message instead of refusing the request with
    /// `TranscodingError.Code.unknownField` (400). Dropping loses what a client meant to send (a typo, a field
    /// newer than the gateway's descriptors) without a word. Default: `false` (refuse, as protobuf and Envoy do).
    package var discardUnknownFields: Bool
    /// The deepest nesting of JSON objects and arrays (request) or of messages (response) accepted; deeper
    /// input fails with `TranscodingError.Code.tooDeep`. Default: 64.
    package var maxDepth: Int

    package init(
        emitUnpopulated: Bool = false,
        useProtoNames: Bool = false,
        enumsAsInts: Bool = false,
        int64AsNumbers: Bool = false,
        indent: Int = 0,
        discardUnknownFields: Bool = false,
        maxDepth: Int = 64
    ) {
        self.emitUnpopulated = emitUnpopulated
        self.useProtoNames = useProtoNames
        self.enumsAsInts = enumsAsInts
        self.int64AsNumbers = int64AsNumbers
        self.indent = indent
        self.discardUnknownFields = discardUnknownFields
        self.maxDepth = maxDepth
    }

    /// The defaults documented on each property.
    package static var defaults: TranscodingOptions { TranscodingOptions() }
}
