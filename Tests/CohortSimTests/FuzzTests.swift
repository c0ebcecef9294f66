import FakeMailchimp
import Foundation
@testable import Harness
import SimCore
import Testing

/// The fuzzer: generation, the scenario writer, invariants, shrinking and campaigns.
@Suite(.timeLimit(.minutes(2))) struct FuzzTests {
    /// The scenario with file, id and step lines cleared, for comparing a case with its written file.
    private func normalized(_ scenario: Scenario) -> Scenario {
        var copy = scenario
        copy.file = ""
        copy.id = ""
        copy.steps = copy.steps.map { Step(line: 0, action: $0.action) }
        return copy
    }

    @Test func theSameSeedGivesTheSameScenarioAndOtherSeedsDiffer() {
        let a = FuzzGenerator(seed: 42, size: .small).scenario()
        #expect(a == FuzzGenerator(seed: 42, size: .small).scenario())
        #expect(a != FuzzGenerator(seed: 43, size: .small).scenario())
        #expect(a != FuzzGenerator(seed: 42, size: .medium).scenario())
    }

    @Test(arguments: [FuzzSize.small, .medium, .large])
    func everyGeneratedScenarioIsWrittenAndReadBackUnchanged(size: FuzzSize) throws {
        for seed in UInt64(1)...UInt64(size == .large ? 5 : 40) {
            let generated = FuzzGenerator(seed: seed, size: size).scenario()
            let text = try ScenarioWriter.yaml(generated)
            let reread = try ScenarioParser.parse(text, file: "fuzz.yaml", id: "fuzz")
            #expect(normalized(reread) == normalized(generated), "seed \(seed) (\(size.rawValue)) does not survive writing:\n\(text)")
        }
    }

    @Test func theWriterQuotesTextThatWouldReadAsAnotherType() throws {
        var scenario = try ScenarioParser.parse("""
            name: quoting
            mixpanel:
              profiles:
                - {distinct_id: "123", properties: {code: "true", zip: "01234", note: " spaced ", empty: ""}}
            steps:
              - wait: 1m
            """, file: "q.yaml", id: "q")
        scenario.mailchimpFaults = [.init(path: "/3.0/lists/*", effect: .status(429), probability: 1, until: scenario.start.adding(.hours(1)), retryAfter: .seconds(5))]
        let reread = try ScenarioParser.parse(try ScenarioWriter.yaml(scenario), file: "q.yaml", id: "q")
        #expect(normalized(reread) == normalized(scenario))
    }

    @Test func seedsComeFromTheCorpusFirstThenTheRangeAndShardsSplitThem() {
        let plan = FuzzCampaign.Plan(size: .small, base: 10, count: 4, replay: [3, 11])
        #expect(plan.seeds == [3, 11, 10, 12, 13])
        var first = plan, second = plan
        first.shard = (1, 2)
        second.shard = (2, 2)
        #expect(Set(first.seeds + second.seeds) == Set(plan.seeds))
        #expect(Set(first.seeds).isDisjoint(with: second.seeds))
    }

    @Test func aCampaignGivesTheSameResultsSerialAndParallel() async {
        let seeds = Array(UInt64(1)...UInt64(8))
        let serial = await FuzzCampaign(jobs: 1).run(seeds, size: .small)
        let parallel = await FuzzCampaign(jobs: 3).run(seeds, size: .small)
        #expect(serial == parallel)
        #expect(serial.map(\.seed) == seeds)
    }

    @Test func aFuzzSeedRunsTheSameInProcessAndOverLoopbackHTTP() async throws {
        let scenario = FuzzGenerator(seed: 5, size: .small).scenario()
        let inProcess = await FuzzCase(transport: .inProcess).run(scenario)
        let loopback = await FuzzCase(transport: .loopback).run(scenario)
        #expect(inProcess == loopback)
        #expect(!inProcess.document.isEmpty)
    }

    /// A fake Mailchimp that re-subscribes existing contacts (the opposite of U25) must be caught
    /// by no-resubscribe within a few seeds, and shrunk to a small file that still fails.
    @Test func aPlantedMisbehaviourIsFoundAndShrunkToASmallScenarioThatStillFails() async throws {
        var found: (Scenario, Violation)?
        for seed in UInt64(1)...UInt64(200) where found == nil {
            var scenario = FuzzGenerator(seed: seed, size: .small).scenario()
            scenario.mailchimp.sabotage = [.statusIfNewOverwritesExisting]
            let result = await FuzzCase().run(scenario)
            if let hit = result.violations.first(where: { $0.invariant == .noResubscribe }) { found = (scenario, hit) }
        }
        let (scenario, violation) = try #require(found, "200 seeds never caught the planted re-subscription")
        let shrunk = await Shrinker(invariant: .noResubscribe, budget: 300).shrink(scenario, violation: violation)
        #expect(shrunk.scenario.steps.count <= 5, "shrunk to \(shrunk.scenario.steps.count) steps")
        #expect(shrunk.scenario.mixpanel.profiles.count <= 2)
        let text = try ScenarioWriter.yaml(shrunk.scenario)
        #expect(text.contains("status-if-new-overwrites-existing"))
        let reread = try ScenarioParser.parse(text, file: "shrunk.yaml", id: "shrunk")
        let replay = await FuzzCase().run(reread)
        #expect(replay.violations.contains { $0.invariant == .noResubscribe })
        // Without the planted misbehaviour the same file passes.
        var honest = reread
        honest.mailchimp.sabotage = []
        #expect(await FuzzCase().run(honest).violations.isEmpty)
    }

    /// `cohortsim fuzz --sabotage`: the campaign plants the misbehaviour in every case and the
    /// repro line carries it, so the finding can be replayed exactly.
    @Test func aCampaignWithSabotageFindsItAndItsReproNamesIt() async {
        let results = await FuzzCampaign(jobs: 2, sabotage: [.statusIfNewOverwritesExisting]).run(Array(1...60), size: .small)
        let summary = FuzzSummary(size: .small, results: results, sabotage: [.statusIfNewOverwritesExisting])
        let seeds = summary.seeds(breaking: .noResubscribe)
        #expect(!seeds.isEmpty, "60 sabotaged seeds never broke no-resubscribe")
        if let first = seeds.first {
            #expect(summary.repro(first) == "cohortsim fuzz --seed \(first) --size small --sabotage status-if-new-overwrites-existing")
        }
        let honest = await FuzzCampaign(jobs: 2).run(seeds, size: .small)
        #expect(honest.allSatisfy { $0.result.violations.isEmpty })
    }

    /// Each file in scenarios/fuzz/ is a shrunk case the checker once reported wrongly (a run in
    /// flight at a cohort deletion, activity at an import's own instant, a retried /import, …):
    /// the checker must find nothing in any of them, in-process and over loopback.
    @Test(arguments: [TransportMode.inProcess, .loopback])
    func theCheckerFindsNothingInItsKeptFalsePositives(_ transport: TransportMode) async throws {
        let folder = packageRoot + "/scenarios/fuzz"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.count >= 8)
        for file in files {
            let scenario = try ScenarioParser.parse(file: folder + "/" + file, id: "fuzz/" + file)
            let result = await FuzzCase(transport: transport).run(scenario)
            #expect(result.violations.isEmpty, "\(file): \(result.violations.map(\.line))")
        }
    }

    @Test func aStepTheHarnessCannotCarryOutIsAHarnessErrorNotASilentPass() async throws {
        let scenario = try ScenarioParser.parse("""
            name: bad step
            steps:
              - rename_cohort: {cohort: "no such cohort", to: x}
            """, file: "bad.yaml", id: "bad")
        let result = await FuzzCase().run(scenario)
        #expect(result.violations.map(\.invariant) == [.harnessError])
    }

    @Test func theJUnitReportHasOneCasePerInvariantAndNamesTheRepro() {
        let violation = Violation(invariant: .stoppedMeansSilent, step: 4, time: "t", detail: "d")
        let summary = FuzzSummary(size: .small, results: [
            .init(seed: 7, result: FuzzCaseResult(violations: [violation], coverage: [], document: "")),
            .init(seed: 8, result: FuzzCaseResult(violations: [], coverage: [.retried429], document: "")),
        ])
        let xml = summary.junit
        #expect(xml.components(separatedBy: "<testcase").count - 1 == Invariant.allCases.count)
        #expect(xml.contains("cohortsim fuzz --seed 7 --size small"))
        #expect(summary.coverage.first { $0.0 == .retried429 }?.1 == 1)
        #expect(summary.json["violations"]?.arrayValue?.count == 1)
    }

    @Test func aCorpusKeepsFailingSeedsPerSize() throws {
        let folder = try temporaryFolder()
        let corpus = FuzzCorpus(folder: folder + "/corpus")
        #expect(try corpus.seeds(size: .small).isEmpty)
        let violation = Violation(invariant: .noResubscribe, step: 1, time: "t", detail: "d")
        try corpus.add(seed: 12, size: .small, violation: violation)
        try corpus.add(seed: 3, size: .small, violation: violation)
        try corpus.add(seed: 5, size: .medium, violation: violation)
        #expect(try corpus.seeds(size: .small) == [3, 12])
        #expect(try corpus.seeds(size: .medium) == [5])
    }
}
