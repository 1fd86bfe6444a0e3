import Foundation
import Testing

@testable import Gateway

/// `google.api.HttpBody` as a request body and as a reply (Resources/raw_echo.proto).
@Suite("Transcoding google.api.HttpBody")
struct HTTPBodyTranscodingTests {
    typealias Fixtures = TranscodingFixtures

    static let pool: DescriptorPool = {
        let bytes = try! Fixtures.resource("raw_echo.pb")
        return try! DescriptorPool(descriptorSets: [(source: "raw_echo.pb", bytes: bytes)])
    }()

    static func method(_ path: String) -> MethodDescriptor { pool.method(grpcPath: path)! }

    /// Encodes a request with `method`'s first binding and prints it as JSON.
    static func request(
        _ method: MethodDescriptor, body: [UInt8], contentType: String?,
        path: [(fieldPath: [String], value: String)] = [],
        query: Substring? = nil
    ) throws -> String {
        let transcoder = RequestTranscoder(method: method, binding: method.httpBindings.first, options: .defaults)
        var wire: [UInt8] = []
        var failure: TranscodingError?
        body.withUnsafeBytes { buffer in
            do throws(TranscodingError) {
                try transcoder.encodeRequest(
                    body: buffer, pathVariables: path, query: query, contentType: contentType, into: &wire)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        let printer = ResponseTranscoder(
            method: Fixtures.method(for: method.input), binding: nil, options: .defaults)
        var json: [UInt8] = []
        wire.withUnsafeBytes { buffer in
            do throws(TranscodingError) { try printer.encodeJSON(message: buffer, into: &json) } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return String(decoding: json, as: UTF8.self)
    }

    /// The content type and data range of an HttpBody reply.
    static func httpBody(_ transcoder: ResponseTranscoder, _ wire: [UInt8]) throws -> (
        contentType: String, data: Range<Int>
    ) {
        var body: (contentType: String, data: Range<Int>)?
        var failure: TranscodingError?
        wire.withUnsafeBytes { buffer in
            do throws(TranscodingError) { body = try transcoder.httpBody(message: buffer) } catch { failure = error }
        }
        if let failure { throw failure }
        return body!
    }

    @Test("a request that is an HttpBody takes the raw bytes and their content type, whatever they are")
    func wholeRequest() throws {
        let bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x00, 0xFF, 0x7B]
        let json = try Self.request(Self.method("/echo.Echo/Unary"), body: bytes, contentType: "image/png")
        #expect(json == #"{"contentType":"image/png","data":"\#(Data(bytes).base64EncodedString())"}"#)
        #expect(try Self.request(Self.method("/echo.Echo/Unary"), body: [], contentType: nil) == "{}")
    }

    @Test("an HttpBody body field takes the raw bytes; path and query fill the other fields")
    func bodyField() throws {
        let json = try Self.request(
            Self.method("/echo.Files/Put"), body: Array("not { json".utf8), contentType: "text/plain; charset=utf-8",
            path: [(["name"], "files/a")], query: "copies=2&file.content_type=ignored")
        #expect(
            json
                == #"{"name":"files/a","file":{"contentType":"text/plain; charset=utf-8","data":"bm90IHsganNvbg=="},"copies":2}"#
        )
    }

    @Test("a reply that is an HttpBody, or whose response_body is one, is its raw bytes with its content type")
    func replies() throws {
        let unary = Self.method("/echo.Echo/Unary")
        let raw = ResponseTranscoder(method: unary, binding: unary.httpBindings.first, options: .defaults)
        #expect(raw.repliesWithHTTPBody)
        // content_type "a/b", then data [1, 2], then data again [3]: the last occurrence wins.
        let wire: [UInt8] = [0x0A, 0x03, 0x61, 0x2F, 0x62, 0x12, 0x02, 0x01, 0x02, 0x12, 0x01, 0x03]
        let body = try Self.httpBody(raw, wire)
        #expect(body.contentType == "a/b")
        #expect(Array(wire[body.data]) == [0x03])

        let get = Self.method("/echo.Files/Get")
        let field = ResponseTranscoder(method: get, binding: get.httpBindings.first, options: .defaults)
        #expect(field.repliesWithHTTPBody)
        // Download{name: "n", file: {data: [9]}}.
        let download: [UInt8] = [0x0A, 0x01, 0x6E, 0x12, 0x03, 0x12, 0x01, 0x09]
        let inner = try Self.httpBody(field, download)
        #expect(inner.contentType == "" && Array(download[inner.data]) == [0x09])
        #expect(!ResponseTranscoder(method: get, binding: nil, options: .defaults).repliesWithHTTPBody)

        let truncated: [UInt8] = [0x12, 0x05, 0x01]
        #expect(throws: TranscodingError.self) { try Self.httpBody(raw, truncated) }
    }
}
