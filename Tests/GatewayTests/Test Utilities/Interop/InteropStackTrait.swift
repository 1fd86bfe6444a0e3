import Testing

/// Starts a stack's environment once around the whole suite it is applied to, and hands it to the suite's
/// tests through ``InteropEnvironment/current``.
struct InteropStackTrait: SuiteTrait, TestScoping {
    let stack: InteropStack

    /// Not inherited by the suite's tests: one environment for all of them.
    var isRecursive: Bool { false }

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await InteropEnvironment.with(stack) { environment in
            try await InteropEnvironment.$current.withValue(environment) {
                try await function()
            }
        }
    }
}

extension Trait where Self == InteropStackTrait {
    /// Runs the suite against `stack`'s echo backend behind one `portico` process.
    static func interop(_ stack: InteropStack) -> Self { InteropStackTrait(stack: stack) }
}
