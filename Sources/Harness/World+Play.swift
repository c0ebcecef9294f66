import SimCore

/// What carrying out one timeline step produced.
enum PlayedStep: Sendable {
    /// An `expect` step: the expectations that did not hold, each naming file, line and step.
    case checked([String])
    /// Any other step: when it began and its one-line result.
    case performed(began: SimTime, result: String)
}

extension World {
    /// Carries out step `index` (0-based) of the timeline the way every replay does: an `expect`
    /// step checks its expectations without moving time; any other step is performed and the
    /// clock settled, so the next step sees everything due at this instant done. Shared by the
    /// scenario runner and `cohortsim serve --play`.
    func play(_ step: Step, index: Int) async throws -> PlayedStep {
        if case .expect(let expectations) = step.action {
            var problems: [String] = []
            for expectation in expectations {
                if let problem = try await check(expectation) {
                    problems.append("\(scenario.file):\(step.line): step \(index + 1): expectation failed: \(problem)")
                }
            }
            return .checked(problems)
        }
        let began = clock.now
        let result = try await perform(step.action)
        try await clock.settle()
        return .performed(began: began, result: result)
    }
}
