extension RouteTrie {
    /// Builds a ``RouteTrie`` route by route, in a nested form that is easy to grow, then flattens it.
    struct Builder {
        private struct LiteralChild {
            var literal: [UInt8]
            var node: Int
        }

        private struct MultiWildcardTail {
            var literals: [[UInt8]]
            var terminals: [Terminal]
        }

        private struct Node {
            /// Sorted by literal bytes.
            var literalChildren: [LiteralChild] = []
            var singleWildcardChild: Int?
            /// Longest literal suffix first.
            var multiWildcardTails: [MultiWildcardTail] = []
            var terminals: [Terminal] = []
        }

        private var nodes: [Node] = [Node()]
        private var verbs: [[UInt8]] = []
        private var methods: [String] = []

        /// Adds a route.
        ///
        /// - Returns: the index of a route added earlier with the same method and an equivalent template (same
        ///   segments and verb); the new route is then not added.
        mutating func insert(route: Int, httpMethod: String, template: PathTemplate) -> Int? {
            let verb = template.verb.map { intern(Array($0.utf8), in: &verbs) } ?? RouteTrie.noVerb
            let terminal = Terminal(method: intern(httpMethod, in: &methods), verb: verb, route: route)
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
            if let existing = nodes[node].terminals.first(where: { $0.collides(with: terminal) }) {
                return existing.route
            }
            nodes[node].terminals.append(terminal)
            return nil
        }

        /// The trie in its flat form, with node indices unchanged.
        func build() -> RouteTrie {
            var bytes: [UInt8] = []
            func store(_ literal: [UInt8]) -> Range<Int> {
                bytes.append(contentsOf: literal)
                return (bytes.count - literal.count)..<bytes.count
            }
            var flatNodes: [RouteTrie.Node] = []
            var literalEdges: [LiteralEdge] = []
            var tails: [Tail] = []
            var tailLiterals: [Range<Int>] = []
            var terminals: [Terminal] = []
            func store(_ newTerminals: [Terminal]) -> Range<Int> {
                terminals.append(contentsOf: newTerminals)
                return (terminals.count - newTerminals.count)..<terminals.count
            }
            for node in nodes {
                let edgesStart = literalEdges.count
                for child in node.literalChildren {
                    literalEdges.append(LiteralEdge(literal: store(child.literal), child: child.node))
                }
                let tailsStart = tails.count
                for tail in node.multiWildcardTails {
                    let literalsStart = tailLiterals.count
                    tailLiterals.append(contentsOf: tail.literals.map { store($0) })
                    tails.append(
                        Tail(literals: literalsStart..<tailLiterals.count, terminals: store(tail.terminals))
                    )
                }
                flatNodes.append(
                    RouteTrie.Node(
                        literalEdges: edgesStart..<literalEdges.count,
                        singleWildcardChild: node.singleWildcardChild ?? RouteTrie.noNode,
                        tails: tailsStart..<tails.count,
                        terminals: store(node.terminals)
                    )
                )
            }
            let verbRanges = verbs.map { store($0) }
            return RouteTrie(
                methods: methods,
                nodes: flatNodes,
                literalEdges: literalEdges,
                tails: tails,
                tailLiterals: tailLiterals,
                terminals: terminals,
                verbs: verbRanges,
                bytes: bytes
            )
        }

        private mutating func literalChild(of node: Int, literal: [UInt8]) -> Int {
            let children = nodes[node].literalChildren
            var low = 0
            var high = children.count
            while low < high {
                let middle = (low + high) / 2
                if children[middle].literal == literal { return children[middle].node }
                if literal.lexicographicallyPrecedes(children[middle].literal) {
                    high = middle
                } else {
                    low = middle + 1
                }
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
                if let existing = tail.terminals.first(where: { $0.collides(with: terminal) }) {
                    return existing.route
                }
                nodes[node].multiWildcardTails[tailIndex].terminals.append(terminal)
                return nil
            }
            let tails = nodes[node].multiWildcardTails
            let position = tails.firstIndex { $0.literals.count < literals.count } ?? tails.count
            nodes[node].multiWildcardTails.insert(
                MultiWildcardTail(literals: literals, terminals: [terminal]),
                at: position
            )
            return nil
        }

        private func intern<Element: Equatable>(_ element: Element, in elements: inout [Element]) -> Int {
            if let index = elements.firstIndex(of: element) { return index }
            elements.append(element)
            return elements.count - 1
        }
    }
}

extension RouteTrie.Terminal {
    /// Whether two routes ending at the same node or tail would claim the same requests.
    fileprivate func collides(with other: Self) -> Bool {
        method == other.method && verb == other.verb
    }
}
