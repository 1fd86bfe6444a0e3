import Foundation
import SwiftProtobuf

extension Portico_Test_Everything {
    /// The message's bytes in one spelling for all equal messages, for comparing messages made by different
    /// encoders: map entries sorted, and each `Any` re-packed from its unpacked message (the packed bytes of
    /// equal messages may differ in field order). Comparing bytes rather than with `==` also treats a NaN as
    /// equal to itself and tells 0 from -0.
    func canonicalBytes() throws -> [UInt8] {
        var copy = self
        if hasWellKnown {
            copy.wellKnown.anys = try wellKnown.anys.map { any in
                guard let type = Google_Protobuf_Any.messageType(forTypeURL: any.typeURL) else { return any }
                var canonical = Google_Protobuf_Any()
                canonical.typeURL = any.typeURL
                canonical.value = try type.init(unpackingAny: any).serializedData(options: .deterministic)
                return canonical
            }
        }
        return try copy.serializedBytes(options: .deterministic)
    }
}

extension BinaryEncodingOptions {
    /// Map entries in key order.
    static var deterministic: BinaryEncodingOptions {
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        return options
    }
}
