/// The gateway's shared, immutable route table: HTTP method + path template → target.
///
/// ## Matching
/// - **Precedence**, independent of registration order: at each segment a literal beats `*`, which beats
///   `**`, with backtracking (as Envoy's path matcher does), so `GET /v1/shelves/default` and
///   `DELETE /v1/shelves/{id}` coexist, and the request `DELETE /v1/shelves/default` reaches the second route.
///   Among `**` routes at the same place, the one with the longest literal suffix wins.
/// - **Segments**: the raw path is split on `/` *before* percent-decoding, so `%2F` never separates segments.
///   Literals compare with the decoded segment. `*` matches one non-empty segment; `**` matches zero or more
///   segments, empty ones included. Trailing slashes are ignored unless
///   ``Config-swift.struct/trailingSlashIsSignificant`` is set.
/// - **Values**: a variable over one `*` or literal segment is fully decoded; a variable over several segments
///   or `**` is decoded except that `%2F`/`%2f` stay encoded (grpc-gateway's `AllExceptSlash`, Envoy's
///   `ALL_CHARACTERS_EXCEPT_SLASH`). A malformed escape or decoded bytes that are not UTF-8 anywhere in the path
///   give ``RouteMatch/invalidPath(reason:)``.
/// - **Verbs**: the last segment's text after its last (unencoded) `:` is taken as a verb only if some template
///   of the table, under any method, declares that verb (Envoy's rule). If the path with the verb split off
///   matches a route under any method, that reading wins (a match, or 405). Otherwise the colon is read as part
///   of the segment, so `/v1/{name}` still matches `/v1/a:b`.
/// - **Methods** compare exactly (`GET`, `POST`, a custom kind…; `HEAD` is not special). A path that matches
///   only under other methods gives ``RouteMatch/methodNotAllowed(allowed:)``.
///
/// ## Complexity
/// Built once in O(total template length · log fan-out). A lookup compares each request segment with the
/// literal children of the trie node reached so far by binary search, so it costs O(path length · log fan-out)
/// and does not depend on the number of routes. Backtracking visits each trie node at most once, and only nodes
/// whose template prefix matches the path: in the worst case every route sharing a prefix shape with the path
/// (e.g. many `*`/literal alternatives at every depth), in practice two or three branches. Routes below a `**`
/// are checked as literal suffixes, one per distinct suffix at that node. A lookup allocates nothing but the
/// result (captured values, the `Allow` list).
package struct RouteTable<Target: Sendable>: Sendable {
    /// One route: a method and template leading to a target.
    package struct Route: Sendable {
        /// The HTTP method, compared exactly (`GET`, `POST`, or a custom kind).
        package var httpMethod: String
        /// The path template.
        package var template: PathTemplate
        /// What the route leads to, such as a gRPC method and its field bindings.
        package var target: Target

        package init(httpMethod: String, template: PathTemplate, target: Target) {
            self.httpMethod = httpMethod
            self.template = template
            self.target = target
        }
    }

    /// The routes in registration order; the trie refers to them by index.
    private let registeredRoutes: [Route]
    private let trie: RouteTrie
    private let config: Config

    /// Builds a table that refuses conflicts.
    ///
    /// - Parameters:
    ///   - routes: the routes, in any order; the order does not affect matching.
    ///   - config: how paths are treated.
    ///   - describe: names a target in conflict reports (by default `String(describing:)`).
    /// - Throws: ``RouteConflictError`` listing every pair of routes with the same method and an equivalent
    ///   template (same segments and verb, whatever the variable names), including exact duplicates such as an
    ///   `additional_bindings` entry that repeats its rule.
    package init(
        routes: [Route],
        config: Config = .defaults,
        describe: (Target) -> String = { String(describing: $0) }
    ) throws(RouteConflictError) {
        self.init(keepingFirstOf: routes, config: config, describe: describe)
        guard leftOut.isEmpty else {
            throw RouteConflictError(code: .equivalentTemplates, conflicts: leftOut.map(\.conflict))
        }
    }

    /// Builds a table in which the first of two conflicting routes stays and the later one is left out, listed
    /// in ``leftOut``: how the gateway merges the routes of many backends, where a newcomer must never replace
    /// or break a route that was served before it.
    ///
    /// - Parameters:
    ///   - routes: the routes, earliest first: of two routes with the same method and an equivalent template,
    ///     the earlier one is kept.
    ///   - config: how paths are treated.
    ///   - describe: names a target in conflict reports (by default `String(describing:)`).
    package init(
        keepingFirstOf routes: [Route],
        config: Config = .defaults,
        describe: (Target) -> String = { String(describing: $0) }
    ) {
        var builder = RouteTrie.Builder()
        var leftOut: [LeftOutRoute] = []
        var accepted: [Route] = []
        accepted.reserveCapacity(routes.count)
        for route in routes {
            if let existing = builder.insert(
                route: accepted.count,
                httpMethod: route.httpMethod,
                template: route.template
            ) {
                let conflict = RouteConflictError.Conflict(
                    httpMethod: route.httpMethod,
                    existingTemplate: accepted[existing].template,
                    existingTarget: describe(accepted[existing].target),
                    conflictingTemplate: route.template,
                    conflictingTarget: describe(route.target)
                )
                leftOut.append(LeftOutRoute(route: route, kept: accepted[existing], conflict: conflict))
            } else {
                accepted.append(route)
            }
        }
        self.registeredRoutes = accepted
        self.leftOut = leftOut
        self.trie = builder.build()
        self.config = config
    }

    /// A route left out of a table built with ``init(keepingFirstOf:config:describe:)``, and the route it
    /// conflicts with.
    package struct LeftOutRoute: Sendable {
        /// The route left out.
        package var route: Route
        /// The earlier route that stays.
        package var kept: Route
        /// The conflict, described.
        package var conflict: RouteConflictError.Conflict
    }

    /// The routes left out because an earlier route claims the same requests, in the order they were given.
    package let leftOut: [LeftOutRoute]

    /// The routes in matching-precedence order of their templates (literal before `*` before `**`, segment by
    /// segment), then by verb and method: the order in which to print the table. Sorted on each call (listings
    /// are rare; a second copy of every route is not).
    package var routes: [Route] {
        registeredRoutes.sorted(by: Self.precedes)
    }

    /// How many routes the table holds.
    package var count: Int { registeredRoutes.count }

    /// Finds the route for a request.
    ///
    /// - Parameters:
    ///   - method: the request's HTTP method.
    ///   - path: the raw request path without the query string, as it came off the wire (not decoded).
    /// - Returns: the route's target with its bound variables, or why there is none.
    package func match(method: String, path: Substring) -> RouteMatch<Target> {
        var path = path
        return path.withUTF8 { bytes in
            match(method: method, bytes: bytes)
        }
    }

    private func match(method: String, bytes: UnsafeBufferPointer<UInt8>) -> RouteMatch<Target> {
        guard bytes.count > 0 && bytes[0] == UInt8(ascii: "/") else {
            return .invalidPath(reason: "the path must start with '/'")
        }
        if let problem = PercentDecoding.validate(bytes, in: 0..<bytes.count) {
            return .invalidPath(reason: problem.reason)
        }
        let methodIndex = trie.methodIndex(method)
        var end = bytes.count
        if !config.trailingSlashIsSignificant {
            while end > RequestPath.firstSegmentStart && bytes[end - 1] == UInt8(ascii: "/") { end -= 1 }
        }
        var colon = end
        while colon > RequestPath.firstSegmentStart && bytes[colon - 1] != UInt8(ascii: "/")
            && bytes[colon - 1] != UInt8(ascii: ":")
        {
            colon -= 1
        }
        colon -= 1
        if bytes[colon] == UInt8(ascii: ":"),
            let verb = trie.verbIndex(bytes, (colon + 1)..<end),
            let result = lookUp(method: methodIndex, path: RequestPath(bytes: bytes, end: colon), verb: verb)
        {
            return result
        }
        return lookUp(method: methodIndex, path: RequestPath(bytes: bytes, end: end), verb: RouteTrie.noVerb)
            ?? .notFound
    }

    /// The match for `method` (an index into the trie's methods, `nil` if no route uses it), else 405 if other
    /// methods match, else `nil`. One walk of the trie finds both.
    private func lookUp(method: Int?, path: RequestPath, verb: Int) -> RouteMatch<Target>? {
        var found: Int?
        // The methods seen on the way, as bits of their indices (a table uses a handful of methods; any past 63
        // go to `moreAllowed`). The closure must not capture `self`: a specialised search would copy the whole
        // table at every step.
        var allowed: UInt64 = 0
        var moreAllowed: [Int] = []
        _ = trie.search(path, verb: verb) { terminal in
            if terminal.method == method {
                found = terminal.route
                return true
            }
            if terminal.method < 64 {
                allowed |= 1 << UInt64(terminal.method)
            } else {
                moreAllowed.append(terminal.method)
            }
            return false
        }
        if let found {
            let route = registeredRoutes[found]
            return .matched(route.target, variables: variables(of: route.template, in: path))
        }
        guard allowed != 0 || !moreAllowed.isEmpty else { return nil }
        var names: [String] = []
        while allowed != 0 {
            names.append(trie.methods[allowed.trailingZeroBitCount])
            allowed &= allowed - 1
        }
        for index in moreAllowed where !names.contains(trie.methods[index]) { names.append(trie.methods[index]) }
        return .methodNotAllowed(allowed: names.sorted())
    }

    /// The values of a matched template's variables.
    ///
    /// Template segments map one-to-one to request segments, except that `**` stands for however many request
    /// segments are left over, so boundaries after it shift by that surplus.
    private func variables(of template: PathTemplate, in path: RequestPath) -> [PathVariable] {
        guard !template.variables.isEmpty else { return [] }
        let multiWildcardIndex = template.multiWildcardIndex
        let surplus = path.segmentCount - template.segments.count
        func requestBoundary(_ boundary: Int) -> Int {
            guard let multiWildcardIndex, boundary > multiWildcardIndex else { return boundary }
            return boundary + surplus
        }
        return template.variables.map { variable in
            let segments = variable.segmentRange
            let isSingleSegment = segments.count == 1 && template.segments[segments.lowerBound] != .multiWildcard
            let bytes = path.byteRange(
                ofSegments: requestBoundary(segments.lowerBound)..<requestBoundary(segments.upperBound)
            )
            return PathVariable(
                fieldPath: variable.fieldPath,
                value: PercentDecoding.decode(path.bytes, bytes, keepingEncodedSlashes: !isSingleSegment)
            )
        }
    }

    /// Orders routes for printing: templates segment by segment (literals alphabetically, then `*`, then
    /// `**`; a shorter template first), then no verb before verbs, then the method.
    private static func precedes(_ lhs: Route, _ rhs: Route) -> Bool {
        func rank(_ segment: PathTemplate.Segment) -> Int {
            switch segment {
            case .literal: return 0
            case .singleWildcard: return 1
            case .multiWildcard: return 2
            }
        }
        for (left, right) in zip(lhs.template.segments, rhs.template.segments) where left != right {
            if case .literal(let leftLiteral) = left, case .literal(let rightLiteral) = right {
                return leftLiteral < rightLiteral
            }
            return rank(left) < rank(right)
        }
        if lhs.template.segments.count != rhs.template.segments.count {
            return lhs.template.segments.count < rhs.template.segments.count
        }
        if lhs.template.verb != rhs.template.verb {
            return (lhs.template.verb ?? "") < (rhs.template.verb ?? "")
        }
        if lhs.httpMethod != rhs.httpMethod {
            return lhs.httpMethod < rhs.httpMethod
        }
        return lhs.template.description < rhs.template.description
    }
}
