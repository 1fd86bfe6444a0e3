/// The search structure behind ``RouteTable``: a trie over template segments, with routes stored by index.
///
/// Each node has its literal children sorted by their decoded bytes (binary search), at most one `*` child, the
/// `**` tails that start there, and the routes that end there. All edges but `**` consume exactly one segment,
/// so a node is only ever compared with one request segment and a search visits each node at most once.
/// A `**` must be followed by literals only, so the routes below a `**` are kept as tails (the literals that
/// must end the path) instead of subtrees.
struct RouteTrie: Sendable {
    /// A route ending at a node or tail, under one HTTP method and verb.
    struct Terminal: Sendable {
        var httpMethod: String
        /// An index into ``RouteTrie/verbs``, or `nil` for templates without a verb.
        var verb: Int?
        /// The route's index in the table's registration order.
        var route: Int
    }

    private struct LiteralChild: Sendable {
        var literal: [UInt8]
        var node: Int
    }

    private struct MultiWildcardTail: Sendable {
        /// The decoded literals that must end the path after the `**`.
        var literals: [[UInt8]]
        var terminals: [Terminal]
    }

    private struct Node: Sendable {
        var literalChildren: [LiteralChild] = []
        var singleWildcardChild: Int?
        /// Longest literal suffix first, so the more specific tail wins.
        var multiWildcardTails: [MultiWildcardTail] = []
        var terminals: [Terminal] = []
    }

    private var nodes: [Node] = [Node()]
    /// Every verb some template declares, decoded.
    private var verbs: [[UInt8]] = []

    /// Adds a route.
    ///
    /// - Returns: the index of a route registered earlier with the same method and an equivalent template; the
    ///   new route is then not added.
    mutating func insert(route: Int, httpMethod: String, template: PathTemplate) -> Int? {
        let verb = template.verb.map { internVerb(Array($0.utf8)) }
        let terminal = Terminal(httpMethod: httpMethod, verb: verb, route: route)
        var node = 0
        for (index, segment) in template.segments.enumerated() {
            switch segment {
            case .literal(let literal):
                node = literalChild(of: node, literal: Array(literal.utf8))
            case .singleWildcard:
                node = singleWildcardChild(of: node)
            case .multiWildcard:
                let literals = template.segments[(index + 1)...].map { segment -> [UInt8] in
                    guard case .literal(let literal) = segment else {
                        preconditionFailure("the parser allows only literals after '**'")
                    }
                    return Array(literal.utf8)
                }
                return addTail(literals, terminal: terminal, at: node)
            }
        }
        if let existing = nodes[node].terminals.first(where: { $0.httpMethod == httpMethod && $0.verb == verb }) {
            return existing.route
        }
        nodes[node].terminals.append(terminal)
        return nil
    }

    /// The index of the verb `bytes[range]` decodes to, if some template declares it.
    func verbIndex(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        for index in verbs.indices where PercentDecoding.compareDecoded(bytes, range, with: verbs[index]) == 0 {
            return index
        }
        return nil
    }

    /// Searches depth-first in precedence order (literal, then `*`, then `**` with the longest literal suffix
    /// first), calling `visit` with each route that matches `path` and `verb`, until `visit` returns `true`.
    ///
    /// - Returns: whether `visit` stopped the search.
    func search(_ path: RequestPath, verb: Int?, visit: (Terminal) -> Bool) -> Bool {
        search(node: 0, segment: 0, start: RequestPath.firstSegmentStart, path: path, verb: verb, visit: visit)
    }

    private func search(
        node index: Int,
        segment: Int,
        start: Int,
        path: RequestPath,
        verb: Int?,
        visit: (Terminal) -> Bool
    ) -> Bool {
        let node = nodes[index]
        if segment == path.segmentCount {
            for terminal in node.terminals where terminal.verb == verb {
                if visit(terminal) { return true }
            }
        } else {
            let end = path.segmentEnd(startingAt: start)
            if let child = literalChild(of: node, matching: path.bytes, start..<end),
                search(node: child, segment: segment + 1, start: end + 1, path: path, verb: verb, visit: visit)
            {
                return true
            }
            if end > start, let child = node.singleWildcardChild,
                search(node: child, segment: segment + 1, start: end + 1, path: path, verb: verb, visit: visit)
            {
                return true
            }
        }
        let remaining = path.segmentCount - segment
        for tail in node.multiWildcardTails where tail.literals.count <= remaining {
            guard path.lastSegmentsEqual(tail.literals) else { continue }
            for terminal in tail.terminals where terminal.verb == verb {
                if visit(terminal) { return true }
            }
        }
        return false
    }

    private func literalChild(of node: Node, matching bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        var low = 0
        var high = node.literalChildren.count
        while low < high {
            let middle = (low + high) / 2
            let order = PercentDecoding.compareDecoded(bytes, range, with: node.literalChildren[middle].literal)
            if order == 0 { return node.literalChildren[middle].node }
            if order < 0 { high = middle } else { low = middle + 1 }
        }
        return nil
    }

    private mutating func literalChild(of node: Int, literal: [UInt8]) -> Int {
        let children = nodes[node].literalChildren
        var low = 0
        var high = children.count
        while low < high {
            let middle = (low + high) / 2
            if children[middle].literal == literal { return children[middle].node }
            if literal.lexicographicallyPrecedes(children[middle].literal) { high = middle } else { low = middle + 1 }
        }
        nodes.append(Node())
        nodes[node].literalChildren.insert(LiteralChild(literal: literal, node: nodes.count - 1), at: low)
        return nodes.count - 1
    }

    private mutating func singleWildcardChild(of node: Int) -> Int {
        if let child = nodes[node].singleWildcardChild { return child }
        nodes.append(Node())
        nodes[node].singleWildcardChild = nodes.count - 1
        return nodes.count - 1
    }

    private mutating func addTail(_ literals: [[UInt8]], terminal: Terminal, at node: Int) -> Int? {
        if let tailIndex = nodes[node].multiWildcardTails.firstIndex(where: { $0.literals == literals }) {
            let tail = nodes[node].multiWildcardTails[tailIndex]
            if let existing = tail.terminals.first(where: {
                $0.httpMethod == terminal.httpMethod && $0.verb == terminal.verb
            }) {
                return existing.route
            }
            nodes[node].multiWildcardTails[tailIndex].terminals.append(terminal)
            return nil
        }
        let tails = nodes[node].multiWildcardTails
        let position = tails.firstIndex { $0.literals.count < literals.count } ?? tails.count
        nodes[node].multiWildcardTails.insert(
            MultiWildcardTail(literals: literals, terminals: [terminal]), at: position)
        return nil
    }

    private mutating func internVerb(_ verb: [UInt8]) -> Int {
        if let index = verbs.firstIndex(of: verb) { return index }
        verbs.append(verb)
        return verbs.count - 1
    }
}
