import Testing

@testable import DemoServices

@Suite("GRPCTimeout")
struct GRPCTimeoutTests {
    @Test(
        "Every unit of grpc-timeout is read",
        arguments: [
            ("1H", Duration.seconds(3600)), ("2M", .seconds(120)), ("30S", .seconds(30)), ("200m", .milliseconds(200)),
            ("5u", .microseconds(5)), ("99999999n", .nanoseconds(99_999_999)), ("0m", .zero),
        ])
    func units(value: String, expected: Duration) {
        #expect(GRPCTimeout.parse(value) == expected)
    }

    @Test("A malformed grpc-timeout is ignored", arguments: ["", "m", "200", "200x", "-5m", "123456789m", "1.5S"])
    func malformed(value: String) {
        #expect(GRPCTimeout.parse(value) == nil)
    }
}
