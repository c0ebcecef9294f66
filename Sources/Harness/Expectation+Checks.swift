import ExportEngine
import Foundation
import SimCore
import SimHTTP

extension Expectation {
    /// `nil` when every listed reason has its count, else what differs, with the actual counts.
    static func byReason(_ what: String, actual: [String: Int], expected: [String: Int]) -> String? {
        for (reason, count) in expected.sorted(by: { $0.key < $1.key }) where (actual[reason] ?? 0) != count {
            let all = actual.isEmpty ? "none" : actual.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            return "\(what) \(actual[reason] ?? 0) for \(reason), expected \(count) (all: \(all))"
        }
        return nil
    }

    /// The value at a dotted path (`operations.0.method`) of a JSON value.
    static func value(at path: String, in json: JSONValue) -> JSONValue? {
        var current: JSONValue? = json
        for part in path.split(separator: ".") {
            if let index = Int(part), let array = current?.arrayValue {
                current = index < array.count ? array[index] : nil
            } else {
                current = current?.objectValue?[String(part)]
            }
        }
        return current
    }
}

extension Expectation.RequestFacts {
    /// `mailchimp GET /3.0/lists/** after 2026-03-02T10:00:00Z with body {…}`: what was counted.
    var label: String {
        var words = [service ?? "any service", method ?? "any method", path ?? "any path"]
        if let after { words.append("from \(after)") }
        if let before { words.append("before \(before)") }
        if let body { words.append("with body " + JSONValue.object(body).canonicalText) }
        return words.joined(separator: " ")
    }

    func matches(_ entry: JournalEntry) -> Bool {
        if let service, entry.service != service { return false }
        if let method, entry.method != method { return false }
        if let path, !RequestMatch.match(pattern: path, path: entry.path) { return false }
        if let after, entry.time < after { return false }
        if let before, entry.time >= before { return false }
        return true
    }

    func bodyMatches(_ data: Data) -> Bool {
        guard let body else { return true }
        let json: JSONValue
        do { json = try JSONValue(parsing: data) } catch { return false }  // a body that is not JSON holds no field
        return body.allSatisfy { Expectation.value(at: $0.key, in: json) == $0.value }
    }
}

extension World {
    func check(_ facts: Expectation.RequestFacts) -> String? {
        let matching: [JournalEntry]
        if facts.body == nil {
            matching = journal.journal.filter(facts.matches)
        } else {
            matching = journal.requestBodies.filter { facts.matches($0.entry) && facts.bodyMatches($0.body) }.map(\.entry)
        }
        let n = matching.count
        let first = matching.sorted().first.map { "; the first: \($0.line)" } ?? ""
        if let count = facts.count, n != count { return "\(n) request(s) to \(facts.label), expected \(count)\(first)" }
        if let least = facts.atLeast, n < least { return "\(n) request(s) to \(facts.label), expected at least \(least)" }
        if let most = facts.atMost, n > most { return "\(n) request(s) to \(facts.label), expected at most \(most)\(first)" }
        return nil
    }

    func check(_ facts: Expectation.SnapshotFacts) async throws -> String? {
        let cohortID = try resolveCohort(facts.cohort, allowDeleted: true).0
        let audienceID = try resolveAudience(facts.audience)
        let snapshot = try await engine.snapshot(cohortID: cohortID, audienceID: audienceID)
        let what = "the snapshot of cohort \(facts.cohort) to \(facts.audience)"
        if facts.absent { return snapshot.map { "\(what) was taken at \($0.takenAt), expected none" } }
        guard let snapshot else { return "\(what) has not been taken" }
        if let count = facts.count, snapshot.keys.count != count { return "\(what) holds \(snapshot.keys.count) address(es), expected \(count)" }
        let keys = Set(snapshot.keys)
        if let missing = facts.contains.first(where: { !keys.contains($0.lowercased()) }) { return "\(what) lacks \(missing)" }
        if let extra = facts.lacks.first(where: { keys.contains($0.lowercased()) }) { return "\(what) holds \(extra), expected it absent" }
        return nil
    }
}

extension Scenario {
    /// Whether an `expect` step checks request bodies (the journal then keeps them in memory).
    var expectsRequestBodies: Bool {
        steps.contains { step in
            guard case .expect(let list) = step.action else { return false }
            return list.contains { if case .requests(let facts) = $0 { facts.body != nil } else { false } }
        }
    }
}
