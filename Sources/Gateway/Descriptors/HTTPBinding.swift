/// One HTTP mapping of a gRPC method, from a `google.api.http` rule or one of its `additional_bindings`.
package struct HTTPBinding: Sendable, Hashable {
    /// Which part of the request message the HTTP body carries.
    package enum BodySelector: Sendable, Hashable {
        /// The body is ignored (`body` unset in the rule).
        case none
        /// The body is the whole request message (`body: "*"`).
        case wholeMessage
        /// The body is the JSON value of this field of the request message (`body: "field"`).
        case field([String])
    }

    /// `GET`, `PUT`, `POST`, `DELETE`, `PATCH`, or the `kind` of a custom pattern.
    package var httpMethod: String
    /// The path template, e.g. `/v1/{name=shelves/*/books/*}`.
    package var pathTemplate: String
    /// Where the body goes in the request message.
    package var body: BodySelector
    /// The response field sent as the HTTP body instead of the whole response (`response_body`), if any.
    package var responseBody: [String]?

    package init(httpMethod: String, pathTemplate: String, body: BodySelector, responseBody: [String]?) {
        self.httpMethod = httpMethod
        self.pathTemplate = pathTemplate
        self.body = body
        self.responseBody = responseBody
    }
}
