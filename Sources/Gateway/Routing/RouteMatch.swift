/// The outcome of looking up a request in a ``RouteTable``.
package enum RouteMatch<Target> {
    /// A route for the method matched; `variables` are its bound path values in template order.
    case matched(Target, variables: [PathVariable])
    /// The path matches routes of other HTTP methods only (answer 405 with an `Allow` header); sorted, unique.
    case methodNotAllowed(allowed: [String])
    /// No route matches the path under any method.
    case notFound
    /// The path cannot be routed: it does not start with `/`, has a malformed percent escape, or decodes to
    /// invalid UTF-8 (answer 400).
    case invalidPath(reason: String)
}

extension RouteMatch: Sendable where Target: Sendable {}

extension RouteMatch: Equatable where Target: Equatable {}
