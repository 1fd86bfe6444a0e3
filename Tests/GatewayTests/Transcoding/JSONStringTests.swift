import Testing

@testable import Gateway

@Suite("JSON string literals")
struct JSONStringTests {
    @Test(
        "escapes quotes, backslashes and control characters only",
        arguments: [
            ("plain", #""plain""#),
            ("a\"b\\c", #""a\"b\\c""#),
            ("\n\r\t\u{08}\u{0C}", #""\n\r\t\b\f""#),
            ("\u{01}\u{1F}", #""\u0001\u001f""#),
            ("é😀/", #""é😀/""#),
            ("", #""""#),
        ]
    )
    func escaping(input: String, expected: String) {
        var output: [UInt8] = []
        JSONString.append(input, to: &output)
        #expect(String(decoding: output, as: UTF8.self) == expected)
    }
}
