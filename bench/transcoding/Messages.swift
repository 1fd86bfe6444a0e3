import Foundation
import SwiftProtobuf

/// The benchmark's messages, built with the generated types of Tests/GatewayTests/Resources/transcoding_test.proto
/// (Tests/GatewayTests/Generated). Their JSON and wire encodings are SwiftProtobuf's, made once before timing.
enum Messages {
    /// ≈ 100 bytes of JSON: a `Book` with a few short fields.
    static var small: Portico_Test_Book {
        var book = Portico_Test_Book()
        book.name = "shelves/1/books/42"
        book.title = "The Pragmatic Gateway"
        book.pages = 352
        book.color = .red
        book.tags = ["grpc", "json"]
        return book
    }

    /// ≈ 2 KB of JSON: an `Everything` with every scalar type, repeated fields, maps, a small tree, a oneof and
    /// well-known types.
    static var medium: Portico_Test_Everything {
        var everything = Portico_Test_Everything()
        everything.scalars = scalars(1)
        var repeateds = Portico_Test_Repeateds()
        repeateds.rDouble = [1.5, -2.25, 3e10, 0.001]
        repeateds.rInt64 = [1, -9_223_372_036_854_775_807, 1_234_567_890_123]
        repeateds.rUint32 = [7, 4_000_000_000]
        repeateds.rBool = [true, false, true]
        repeateds.rString = ["alpha", "beta", "gamma with spaces", "δέλτα"]
        repeateds.rBytes = [Data([0, 1, 2, 250, 251, 252])]
        repeateds.rColor = [.red, .green, .blue]
        repeateds.rSint32 = [-1, 1, -100_000]
        repeateds.rMessage = [scalars(2), scalars(3)]
        everything.repeateds = repeateds
        var maps = Portico_Test_Maps()
        maps.stringToString = ["region": "eu-west-1", "tier": "gold", "owner": "platform-team"]
        maps.int32ToInt64 = [1: 100, 2: -200, 3: 300_000_000_000]
        maps.int64ToMessage = [42: scalars(4)]
        maps.boolToColor = [true: .green, false: .blue]
        maps.fixed32ToString = [7: "seven", 8: "eight"]
        everything.maps = maps
        everything.tree = tree(depth: 2, label: "root")
        var choices = Portico_Test_Choices()
        choices.choiceString = "picked"
        choices.optInt = 0
        choices.plain = "plain text"
        everything.choices = choices
        var named = Portico_Test_Named()
        named.customJson = "renamed value"
        named.snakeCaseField = 12
        everything.named = named
        var wellKnown = Portico_Test_WellKnown()
        wellKnown.timestamp = Google_Protobuf_Timestamp(seconds: 1_767_225_600, nanos: 123_000_000)
        wellKnown.duration = Google_Protobuf_Duration(seconds: 90, nanos: 500_000_000)
        wellKnown.int32Value = Google_Protobuf_Int32Value(-5)
        wellKnown.stringValue = Google_Protobuf_StringValue("wrapped")
        wellKnown.fieldMask.paths = ["scalars.f_int32", "maps"]
        wellKnown.timestamps = [Google_Protobuf_Timestamp(seconds: 0), Google_Protobuf_Timestamp(seconds: 86_400)]
        everything.wellKnown = wellKnown
        return everything
    }

    /// ≈ 1 MB of JSON: an `Everything` whose `repeateds` holds 2,000 populated `Scalars`, 3,000 strings and
    /// 5,000 numbers of each of three kinds, beside the medium message's other fields.
    static var large: Portico_Test_Everything {
        var everything = medium
        everything.repeateds.rMessage = (0..<2_000).map { scalars($0) }
        everything.repeateds.rString = (0..<3_000).map { "item \($0): a string of moderate length, with ünïcode" }
        everything.repeateds.rInt64 = (0..<5_000).map { Int64($0) * 1_000_003 }
        everything.repeateds.rDouble = (0..<5_000).map { Double($0) * 0.37 }
        everything.repeateds.rInt32 = (0..<5_000).map { Int32($0) - 2_500 }
        return everything
    }

    private static func scalars(_ seed: Int) -> Portico_Test_Scalars {
        var scalars = Portico_Test_Scalars()
        scalars.fDouble = Double(seed) + 0.5
        scalars.fFloat = Float(seed) * 0.25
        scalars.fInt64 = Int64(seed) * -123_456_789
        scalars.fUint64 = UInt64(seed) * 987_654_321
        scalars.fInt32 = Int32(seed) * -7
        scalars.fFixed64 = UInt64(seed) << 20
        scalars.fFixed32 = UInt32(seed) * 3
        scalars.fBool = seed % 2 == 0
        scalars.fString = "scalars #\(seed)"
        scalars.fBytes = Data((0..<8).map { UInt8(truncatingIfNeeded: seed + $0) })
        scalars.fUint32 = UInt32(seed)
        scalars.fSfixed32 = -Int32(seed)
        scalars.fSfixed64 = Int64(seed) << 30
        scalars.fSint32 = Int32(seed) - 50
        scalars.fSint64 = -Int64(seed) << 10
        scalars.fColor = seed % 3 == 0 ? .blue : .green
        return scalars
    }

    private static func tree(depth: Int, label: String) -> Portico_Test_Tree {
        var tree = Portico_Test_Tree()
        tree.label = label
        tree.weight = Int32(depth)
        if depth > 0 {
            tree.children = (0..<2).map { self.tree(depth: depth - 1, label: "\(label).\($0)") }
        }
        return tree
    }
}
