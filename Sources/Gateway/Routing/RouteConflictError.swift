/// Routes that a ``RouteTable`` refuses because two of them claim the same requests.
///
/// Every conflict in the table is listed, not just the first, so that one report covers all services.
package struct RouteConflictError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The kind of problem; new codes may be added.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        package var description: String

        private init(_ description: String) {
            self.description = description
        }

        /// Two routes have the same HTTP method and equivalent templates: the same segments and verb, whatever
        /// their variables are called.
        package static let equivalentTemplates = Code("equivalent templates")
    }

    /// One pair of routes that match exactly the same requests.
    package struct Conflict: Hashable, Sendable, CustomStringConvertible {
        /// The HTTP method both routes use.
        package var httpMethod: String
        /// The template of the route registered first.
        package var existingTemplate: PathTemplate
        /// The target of the route registered first, as described by the table's `describe` function.
        package var existingTarget: String
        /// The template of the route registered later.
        package var conflictingTemplate: PathTemplate
        /// The target of the route registered later.
        package var conflictingTarget: String

        package init(
            httpMethod: String,
            existingTemplate: PathTemplate,
            existingTarget: String,
            conflictingTemplate: PathTemplate,
            conflictingTarget: String
        ) {
            self.httpMethod = httpMethod
            self.existingTemplate = existingTemplate
            self.existingTarget = existingTarget
            self.conflictingTemplate = conflictingTemplate
            self.conflictingTarget = conflictingTarget
        }

        package var description: String {
            "\(httpMethod) \(conflictingTemplate) (\(conflictingTarget)) matches the same paths as "
                + "\(httpMethod) \(existingTemplate) (\(existingTarget))"
        }
    }

    /// The kind of problem.
    package var code: Code
    /// The conflicting pairs in registration order.
    package var conflicts: [Conflict]

    package init(code: Code, conflicts: [Conflict]) {
        self.code = code
        self.conflicts = conflicts
    }

    package var description: String {
        "\(code): " + conflicts.map(\.description).joined(separator: "; ")
    }
}
