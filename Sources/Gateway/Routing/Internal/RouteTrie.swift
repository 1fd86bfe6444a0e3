/// The search structure behind ``RouteTable``: a trie over template segments, with routes stored by index.
///
/// Each node has its literal children sorted by their decoded bytes (binary search), at most one `*` child, the
/// `**` tails that start there, and the routes that end there. All edges but `**` consume exactly one segment,
/// so a node is only ever compared with one request segment and a search visits each node at most once.
/// A `**` must be followed by literals only, so the routes below a `**` are kept as tails (the literals that
/// must end the path) instead of subtrees.
///
/// The trie is built by ``Builder`` and then stored flat: every array holds plain values, and ranges index into
/// shared arrays (all literal bytes live in one buffer), so a lookup does no reference counting.
struct RouteTrie: Sendable {
    /// A route ending at a node or tail, under one HTTP method and verb.
    struct Terminal: Sendable {
        /// An index into ``RouteTrie/methods``.
        var method: Int
        /// An index into the table's verbs, or ``RouteTrie/noVerb``.
        var verb: Int
        /// The route's index in the table.
        var route: Int
    }

    struct Node: Sendable {
        /// Indices into `literalEdges`, sorted by literal bytes.
        var literalEdges: Range<Int>
        /// A node index, or ``RouteTrie/noNode``.
        var singleWildcardChild: Int
        /// Indices into `tails`, longest literal suffix first so the more specific tail wins.
        var tails: Range<Int>
        /// Indices into `terminals`.
        var terminals: Range<Int>
    }

    struct LiteralEdge: Sendable {
        /// The decoded literal, as a range of `bytes`.
        var literal: Range<Int>
        var child: Int
    }

    struct Tail: Sendable {
        /// Indices into `tailLiterals`: the literals that must end the path after the `**`.
        var literals: Range<Int>
        /// Indices into `terminals`.
        var terminals: Range<Int>
    }

    /// The verb value of routes and requests without a verb.
    static let noVerb = -1
    /// The value of a missing child.
    static let noNode = -1

    /// Every HTTP method some route uses, in order of first use.
    let methods: [String]
    let nodes: [Node]
    let literalEdges: [LiteralEdge]
    let tails: [Tail]
    /// Ranges of `bytes`.
    let tailLiterals: [Range<Int>]
    let terminals: [Terminal]
    /// Every verb some template declares, decoded, as ranges of `bytes`.
    let verbs: [Range<Int>]
    /// The decoded bytes of all literals and verbs.
    let bytes: [UInt8]

    /// The index of `method` in ``methods``, or `nil` when no route uses it.
    func methodIndex(_ method: String) -> Int? {
        for index in methods.indices where methods[index] == method {
            return index
        }
        return nil
    }

    /// The index of the verb `path[range]` decodes to, if some template declares it.
    func verbIndex(_ path: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        bytes.withUnsafeBufferPointer { bytes in
            for index in verbs.indices
            where PercentDecoding.compareDecoded(path, range, with: UnsafeBufferPointer(rebasing: bytes[verbs[index]]))
                == 0
            {
                return index
            }
            return nil
        }
    }

    /// Searches depth-first in precedence order (literal, then `*`, then `**` with the longest literal suffix
    /// first), calling `visit` with each route that matches `path` and `verb`, until `visit` returns `true`.
    ///
    /// - Returns: whether `visit` stopped the search.
    func search(_ path: RequestPath, verb: Int, visit: (Terminal) -> Bool) -> Bool {
        bytes.withUnsafeBufferPointer { literals in
            search(
                node: 0,
                segment: 0,
                start: RequestPath.firstSegmentStart,
                path: path,
                verb: verb,
                literals: literals,
                visit: visit
            )
        }
    }

    private func search(
        node index: Int,
        segment: Int,
        start: Int,
        path: RequestPath,
        verb: Int,
        literals: UnsafeBufferPointer<UInt8>,
        visit: (Terminal) -> Bool
    ) -> Bool {
        let node = nodes[index]
        if segment == path.segmentCount {
            for terminal in node.terminals where terminals[terminal].verb == verb {
                if visit(terminals[terminal]) { return true }
            }
        } else {
            let end = path.segmentEnd(startingAt: start)
            if let child = literalChild(of: node, matching: path, start..<end, literals: literals),
                search(
                    node: child,
                    segment: segment + 1,
                    start: end + 1,
                    path: path,
                    verb: verb,
                    literals: literals,
                    visit: visit
                )
            {
                return true
            }
            if end > start, node.singleWildcardChild != Self.noNode,
                search(
                    node: node.singleWildcardChild,
                    segment: segment + 1,
                    start: end + 1,
                    path: path,
                    verb: verb,
                    literals: literals,
                    visit: visit
                )
            {
                return true
            }
        }
        let remaining = path.segmentCount - segment
        for tailIndex in node.tails {
            let tail = tails[tailIndex]
            guard tail.literals.count <= remaining, lastSegments(of: path, equal: tail.literals, literals: literals)
            else { continue }
            for terminal in tail.terminals where terminals[terminal].verb == verb {
                if visit(terminals[terminal]) { return true }
            }
        }
        return false
    }

    private func literalChild(
        of node: Node,
        matching path: RequestPath,
        _ range: Range<Int>,
        literals: UnsafeBufferPointer<UInt8>
    ) -> Int? {
        var low = node.literalEdges.lowerBound
        var high = node.literalEdges.upperBound
        while low < high {
            let middle = (low + high) / 2
            let edge = literalEdges[middle]
            let order = PercentDecoding.compareDecoded(
                path.bytes,
                range,
                with: UnsafeBufferPointer(rebasing: literals[edge.literal])
            )
            if order == 0 { return edge.child }
            if order < 0 { high = middle } else { low = middle + 1 }
        }
        return nil
    }

    /// Whether the last segments of `path` equal the tail literals `tailLiteralIndices`.
    private func lastSegments(
        of path: RequestPath,
        equal tailLiteralIndices: Range<Int>,
        literals: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        var segmentEnd = path.end
        for index in tailLiteralIndices.reversed() {
            let start = path.segmentStart(endingAt: segmentEnd)
            let literal = UnsafeBufferPointer(rebasing: literals[tailLiterals[index]])
            guard PercentDecoding.compareDecoded(path.bytes, start..<segmentEnd, with: literal) == 0 else {
                return false
            }
            segmentEnd = start - 1
        }
        return true
    }
}
