import FakeMailchimp
import FakeMixpanel
import SimCore

/// A scenario's world after part or all of its timeline has been played on virtual time: the
/// fakes, on a clock that ``FakeServers/start(played:host:mailchimpPort:mixpanelPort:allowNonLoopback:)``
/// hands over to real time, and what the steps did.
public struct PlayedWorld: Sendable {
    public let scenario: Scenario
    /// How many steps of the timeline were played (from the first).
    public let stepsPlayed: Int
    /// One line per performed step, as in the outcome document's timeline.
    public let timeline: [String]
    /// Inline expectations among the played steps that did not hold.
    public let expectationFailures: [String]
    /// Scenario time when the last played step had settled.
    public let end: SimTime
    let clock: HandoffClock
    let mailchimp: FakeMailchimp
    let mixpanel: FakeMixpanel
}

extension ScenarioRunner {
    /// Plays steps 1 through `untilStep` (all of them when `nil`) of `scenario` exactly as
    /// ``run(_:)`` does (in process, on a virtual clock, the real engine carrying out exports and
    /// syncs), then stops the engine and returns the fakes as the steps left them.
    ///
    /// - Throws: ``ScenarioError`` for a step number outside the timeline, ``StepError`` for a
    ///   step that cannot be carried out.
    public static func play(_ scenario: Scenario, untilStep: Int? = nil) async throws -> PlayedWorld {
        let count = untilStep ?? scenario.steps.count
        guard (0...scenario.steps.count).contains(count) else {
            throw ScenarioError(file: scenario.file, line: 1, column: 1,
                                message: "--until-step \(count) is outside the timeline, which has \(scenario.steps.count) step(s)")
        }
        let simulation = Simulation(start: scenario.start)
        let clock = HandoffClock(virtual: simulation.clock)
        let fakes = try Fakes(scenario: scenario, clock: clock)
        let network = try await Network.make(.inProcess, fakes: fakes, simulation: simulation)
        let (timeline, failures) = try await simulation.run { () -> ([String], [String]) in
            let world = try World(scenario: scenario, simulation: simulation, fakes: fakes, network: network)
            var timeline: [String] = [], failures: [String] = []
            for (index, step) in scenario.steps.prefix(count).enumerated() {
                do {
                    switch try await world.play(step, index: index) {
                    case .checked(let problems): failures += problems
                    case .performed(let began, let result): timeline.append("\(began) step \(index + 1) (line \(step.line)): " + result)
                    }
                } catch let error as StepFailure {
                    throw StepError(file: scenario.file, line: step.line, step: index + 1, message: error.message)
                }
            }
            await world.engine.quiesce()
            return (timeline, failures)
        }
        try await network.stop()
        return PlayedWorld(scenario: scenario, stepsPlayed: count, timeline: timeline, expectationFailures: failures,
                           end: simulation.clock.now, clock: clock, mailchimp: fakes.mailchimp, mixpanel: fakes.mixpanel)
    }
}
