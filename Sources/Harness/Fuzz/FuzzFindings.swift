import FakeMailchimp
import Foundation
import SimCore

/// Seeds that failed before, kept in a folder and replayed first: one file per seed,
/// `<size>-<seed>.seed`, whose text names the invariant it broke.
public struct FuzzCorpus: Sendable {
    public var folder: String

    public init(folder: String) { self.folder = folder }

    /// The corpus seeds of `size`, in seed order (a missing folder is an empty corpus).
    public func seeds(size: FuzzSize) throws -> [UInt64] {
        guard FileManager.default.fileExists(atPath: folder) else { return [] }
        let names = try FileManager.default.contentsOfDirectory(atPath: folder)
        let prefix = size.rawValue + "-"
        return names.filter { $0.hasPrefix(prefix) && $0.hasSuffix(".seed") }
            .compactMap { UInt64($0.dropFirst(prefix.count).dropLast(".seed".count)) }.sorted()
    }

    public func add(seed: UInt64, size: FuzzSize, violation: Violation) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let text = "\(violation.invariant.rawValue)\n\(violation.line)\ncohortsim fuzz --seed \(seed) --size \(size.rawValue)\n"
        try text.write(toFile: folder + "/\(size.rawValue)-\(seed).seed", atomically: true, encoding: .utf8)
    }
}

/// A shrunk violation written as a scenario file.
public struct ShrunkFinding: Sendable {
    public var path: String
    public var scenario: Scenario
    public var violation: Violation
    public var replays: Int
    /// Steps and profiles before and after shrinking.
    public var originalSteps: Int
}

extension Shrinker {
    /// Shrinks seed `seed`'s case to the invariant of `violation`, writes it under `folder` as
    /// `<invariant>-seed-<seed>-<size>.yaml`, and proves the written file still fails when parsed
    /// back and replayed.
    public func shrinkAndWrite(seed: UInt64, size: FuzzSize, sabotage: [MailchimpWorld.Sabotage] = [], violation: Violation,
                               commit: String, folder: String) async throws -> ShrunkFinding {
        let original = FuzzGenerator(seed: seed, size: size, sabotage: sabotage).scenario()
        let outcome = await shrink(original, violation: violation)
        var scenario = outcome.scenario
        let name = "\(invariant.rawValue)-seed-\(seed)-\(size.rawValue)"
        scenario.name = "Fuzz finding: \(invariant.rawValue) (seed \(seed), \(size.rawValue))"
        scenario.description = """
            Shrunk by cohortsim fuzz from seed \(seed) (--size \(size.rawValue)) at commit \(commit): it breaks \
            \(invariant.rawValue) — \(invariant.summary). Seen: \(outcome.violation.line). \
            Reproduce the original with `cohortsim fuzz --seed \(seed) --size \(size.rawValue)`; \
            shrunk from \(original.steps.count) steps to \(scenario.steps.count) in \(outcome.replays) replays.
            """
        scenario.tags = ["fuzz", invariant.rawValue]
        let text = try ScenarioWriter.yaml(scenario)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = folder + "/" + name + ".yaml"
        let reread = try ScenarioParser.parse(text, file: path, id: "fuzz/" + name)
        let replay = await FuzzCase(transport: transport).run(reread)
        guard replay.violations.contains(where: { $0.invariant == invariant }) else {
            throw ScenarioWriter.Unwritable(description: "the shrunk case no longer breaks \(invariant.rawValue) once written and read back (a writer bug): \(replay.violations.map(\.line))")
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return ShrunkFinding(path: path, scenario: reread, violation: outcome.violation, replays: outcome.replays,
                             originalSteps: original.steps.count)
    }
}
