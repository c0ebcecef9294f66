import Foundation
import GRDB
import Testing
import SimCore
@testable import ExportEngine

extension RunStaging {
    /// Stages `profiles` and waits until they are written (what a run does, one batch at a time).
    func add(_ profiles: [EngageProfile]) throws {
        let failures = StagingFailures()
        try addInBackground(profiles, failures)
        try finishAdding(failures)
    }
}

@Suite(.timeLimit(.minutes(2))) struct EligibilityTests {
    private static func staging() throws -> RunStaging {
        let staging = RunStaging(queue: try SyncStore(path: nil).queue)
        try staging.reset()
        return staging
    }

    @Test func profilesWithoutPropertiesOrAPlausibleEmailAreSkipped() {
        #expect(Eligibility.classify(EngageProfile(distinctID: "m", properties: ["$last_seen": "2026-01-01T00:00:00"]))
                == .skip(reason: .noProfile, email: ""))
        #expect(Eligibility.classify(EngageProfile(distinctID: "n", properties: ["$first_name": "Nia"]))
                == .skip(reason: .noEmail, email: ""))
        #expect(Eligibility.classify(EngageProfile(distinctID: "o", properties: ["$email": " no-at-sign "]))
                == .skip(reason: .invalidEmail, email: "no-at-sign"))
        #expect(Eligibility.classify(EngageProfile(distinctID: "p", properties: ["$email": " P@x.io ", "$user_id": 42]))
                == .candidate(ExportCandidate(distinctID: "p", email: "P@x.io", userID: "42")))
    }

    @Test(arguments: [
        ("a@b.co", true), ("first.last+tag@freddiesjokes.com", true), ("zoë@exämple.de", true),
        ("@b.co", false), ("a@b", false), ("a@.b.co", false), ("a@b.co.", false), ("a@b..co", false), ("a b@c.co", false),
        ("a@b@c.co", false), ("a,b@c.co", false), ("a@b.co\u{00A0}", false), ("<a@b.co>", false), ("a@b.co\t", false), ("", false),
    ])
    func plausibleAddresses(_ email: String, _ plausible: Bool) {
        #expect(Eligibility.isPlausibleEmail(email) == plausible)
    }

    @Test func duplicateAddressesCollapseToTheFirstDistinctIDInSortOrderAcrossPages() throws {
        let staging = try Self.staging()
        try staging.add([EngageProfile(distinctID: "z", properties: ["$email": "Same@FreddiesJokes.com"]),
                         EngageProfile(distinctID: "m", properties: [:])])
        try staging.add([EngageProfile(distinctID: "a", properties: ["$email": " same@freddiesjokes.com "])])
        #expect(try staging.skipCounts() == [SkipReason.noProfile.rawValue: 1, SkipReason.duplicateEmail.rawValue: 1])
        try staging.plan(against: .staged, skipListOf: nil)
        let changes = try staging.changes()
        #expect(changes == [
            MemberChange(action: .skip, distinctID: "m", email: "", reason: SkipReason.noProfile.rawValue),
            MemberChange(action: .skip, distinctID: "z", email: "Same@FreddiesJokes.com", reason: SkipReason.duplicateEmail.rawValue),
            MemberChange(action: .add, distinctID: "a", email: "same@freddiesjokes.com"),
        ])
    }

    @Test func aThreeWayDuplicateKeepsTheSmallestDistinctIDWhateverTheOrder() throws {
        let staging = try Self.staging()
        try staging.add([EngageProfile(distinctID: "m", properties: ["$email": "dup@x.io"]),
                         EngageProfile(distinctID: "z", properties: ["$email": "DUP@x.io"])])
        try staging.add([EngageProfile(distinctID: "b", properties: ["$email": "Dup@x.io", "$user_id": "user-b"])])
        #expect(try staging.skipCounts() == [SkipReason.duplicateEmail.rawValue: 2])
        try staging.plan(against: .staged, skipListOf: nil)
        #expect(try staging.adds(after: "", limit: 10) == [RunStaging.Contact(key: "dup@x.io", email: "Dup@x.io")])
        #expect(Set(try staging.changes().filter { $0.action == .skip }.map(\.distinctID)) == ["m", "z"])
    }

    @Test func planDiffsAgainstTheBaseline() throws {
        let staging = try Self.staging()
        try staging.add([EngageProfile(distinctID: "a", properties: ["$email": "a@x.io"]),
                         EngageProfile(distinctID: "b", properties: ["$email": "B@x.io"])])
        _ = try staging.skipCounts()
        try staging.stageBaseline(["b@x.io", "C@x.io"])
        try staging.plan(against: .staged, skipListOf: nil)
        let counts = try staging.counts()
        #expect((counts.added, counts.unchanged, counts.removed) == (1, 1, 1))
        #expect(try staging.adds(after: "", limit: 10).map(\.key) == ["a@x.io"])
        #expect(try staging.removes(after: "", limit: 10).map(\.email) == ["C@x.io"])
        #expect(try staging.changes().map(\.action) == [.add, .noop, .remove])
    }

    @Test func addsAndRemovesStreamInKeyOrderWindows() throws {
        let staging = try Self.staging()
        try staging.add((0..<25).map { EngageProfile(distinctID: "u\($0)", properties: ["$email": .string("user\($0)@x.io")]) })
        _ = try staging.skipCounts()
        try staging.stageBaseline((0..<7).map { "gone\($0)@x.io" })
        try staging.plan(against: .staged, skipListOf: nil)
        var seen: [String] = []
        var last = ""
        while case let page = try staging.adds(after: last, limit: 10), !page.isEmpty {
            #expect(page.count <= 10)
            seen += page.map(\.key)
            last = page.last!.key
        }
        #expect(seen == (0..<25).map { "user\($0)@x.io" }.sorted())
        #expect(try staging.removes(after: "gone3@x.io", limit: 2).map(\.key) == ["gone4@x.io", "gone5@x.io"])
    }

    @Test func refusalsAreCountedAsSkipsOrRejections() throws {
        let staging = try Self.staging()
        try staging.add(["a", "b", "c"].map { EngageProfile(distinctID: $0, properties: ["$email": .string("\($0)@x.io")]) })
        _ = try staging.skipCounts()
        try staging.plan(against: .staged, skipListOf: nil)
        try staging.refuse(["a@x.io": .status(.unsubscribed), "b@x.io": .refused(title: "Invalid Resource", message: "fake")])
        let counts = try staging.counts()
        #expect(counts.added == 1)
        #expect(counts.skipped == ["compliance: unsubscribed": 1])
        #expect(counts.rejected == ["Invalid Resource": 1])
    }
}

/// Staging on the database's queue while the caller goes on gives what waiting for each batch gives.
@Suite(.timeLimit(.minutes(2))) struct BackgroundStagingTests {
    private static func pages() -> [[EngageProfile]] {
        (0..<6).map { page in
            (0..<50).map { i in
                let n = page * 50 + i
                // Every 7th address repeats one from an earlier page under a smaller or larger id.
                let email = n % 7 == 0 ? "user\(n / 2)@x.io" : "user\(n)@x.io"
                return n % 11 == 0 ? EngageProfile(distinctID: "u\(n)", properties: [:])
                    : EngageProfile(distinctID: String(format: "u%03d", (n * 37) % 300), properties: ["$email": .string(email)])
            }
        }
    }

    private static func outcome(_ stage: (RunStaging, [[EngageProfile]]) throws -> Void) throws -> [MemberChange] {
        let staging = RunStaging(queue: try SyncStore(path: nil).queue)
        try staging.reset()
        try stage(staging, pages())
        try staging.plan(against: .staged, skipListOf: nil)
        return try staging.changes()
    }

    @Test func pipelinedStagingGivesTheSameChangesAsWaitingForEachBatch() throws {
        let inline = try Self.outcome { staging, pages in for page in pages { try staging.add(page) } }
        let background = try Self.outcome { staging, pages in
            let failures = StagingFailures()
            for page in pages { try staging.addInBackground(page, failures) }
            try staging.finishAdding(failures)
        }
        #expect(background == inline)
        #expect(inline.contains { $0.reason == SkipReason.duplicateEmail.rawValue })
    }

    @Test func aFailedBackgroundWriteIsRethrownByTheNextCall() throws {
        // The store creates the temporary tables when it opens; without them the write fails on the queue.
        let staging = RunStaging(queue: try SyncStore(path: nil).queue)
        try staging.queue.write { db in try db.execute(sql: "DROP TABLE temp.run_candidate") }
        let failures = StagingFailures()
        try staging.addInBackground([EngageProfile(distinctID: "a", properties: ["$email": "a@x.io"])], failures)
        #expect(throws: (any Error).self) { try staging.finishAdding(failures) }
        #expect(throws: (any Error).self) { try staging.addInBackground([], failures) }
    }
}
