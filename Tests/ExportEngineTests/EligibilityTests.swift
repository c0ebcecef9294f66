import Testing
import SimCore
@testable import ExportEngine

@Suite struct EligibilityTests {
    @Test func duplicateAddressesCollapseToTheFirstDistinctIDInSortOrder() {
        let profiles = [
            EngageProfile(distinctID: "z", properties: ["$email": "Same@Example.com"]),
            EngageProfile(distinctID: "a", properties: ["$email": " same@example.com "]),
            EngageProfile(distinctID: "m", properties: [:]),
        ]
        let (candidates, skipped) = Eligibility.partition(profiles)
        #expect(candidates.map(\.distinctID) == ["a"])
        #expect(candidates.first?.email == "same@example.com")
        #expect(skipped.map(\.reason) == [Eligibility.noProfile, Eligibility.duplicateEmail])
    }

    @Test func planDiffsAgainstTheBaseline() {
        let candidates = [ExportCandidate(distinctID: "a", email: "a@x.io"), ExportCandidate(distinctID: "b", email: "b@x.io")]
        let plan = SyncPlan(candidates: candidates, baseline: ["b@x.io": .init(email: "b@x.io", distinctID: "b"),
                                                               "c@x.io": .init(email: "c@x.io", distinctID: "c")])
        #expect(plan.adds.map(\.key) == ["a@x.io"])
        #expect(plan.unchanged.map(\.key) == ["b@x.io"])
        #expect(plan.removes.map(\.key) == ["c@x.io"])
    }
}
