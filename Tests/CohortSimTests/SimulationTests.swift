import Foundation
import Testing
import SimCore
import SimHTTP

@Suite(.timeLimit(.minutes(2))) struct SimulationTests {
    @Test func isoTimesRoundTrip() throws {
        let t = try #require(SimTime(iso8601: "2026-03-02T09:30:15Z"))
        #expect(t.iso8601 == "2026-03-02T09:30:15Z")
        #expect(SimTime(iso8601: "2026-03-02T10:30:15+01:00") == t)
        #expect(SimTime(iso8601: "2024-02-29") != nil)
        #expect(SimTime(iso8601: "2026-13-01") == nil)
        #expect(SimTime(iso8601: "1969-12-31T23:59:59Z")?.milliseconds == -1000)
    }

    @Test(arguments: [("2h", Int64(7_200_000)), ("1h30m", 5_400_000), ("250ms", 250), ("-2d", -172_800_000), ("3d", 259_200_000)])
    func durationsParse(_ text: String, _ milliseconds: Int64) {
        #expect(SimDuration(parsing: text)?.milliseconds == milliseconds)
    }

    @Test(arguments: ["", "2 hours", "h", "5x", "1.5h"])
    func badDurationsAreRejected(_ text: String) {
        #expect(SimDuration(parsing: text) == nil)
    }

    @Test func sleepersWakeInDeadlineOrderWithoutRealTime() async throws {
        let simulation = Simulation(start: SimTime(seconds: 0))
        let order = try await simulation.run {
            let clock = simulation.clock
            return try await withThrowingTaskGroup(of: String.self) { group in
                group.addTask { try await clock.sleep(for: .hours(3)); return "3h@\(clock.now.seconds)" }
                group.addTask { try await clock.sleep(for: .hours(1)); return "1h@\(clock.now.seconds)" }
                group.addTask { try await clock.sleep(for: .days(2)); return "2d@\(clock.now.seconds)" }
                var results: [String] = []
                for try await value in group { results.append(value) }
                return results
            }
        }
        #expect(order == ["1h@3600", "3h@10800", "2d@172800"])
    }

    @Test func timelineWakesAfterWorkDueAtTheSameInstant() async throws {
        let simulation = Simulation(start: SimTime(seconds: 0))
        let order = try await simulation.run {
            let clock = simulation.clock
            let log = Log()
            let worker = Task(executorPreference: simulation) { try await clock.sleep(until: SimTime(seconds: 60)); await log.add("work") }
            try await clock.sleep(until: SimTime(seconds: 60), priority: .timeline)
            await log.add("timeline")
            _ = try await worker.value
            return await log.entries
        }
        #expect(order == ["work", "timeline"])
    }

    @Test func settleLetsSameInstantWorkFinishWithoutMovingTime() async throws {
        let simulation = Simulation(start: SimTime(seconds: 0))
        let (entries, time) = try await simulation.run {
            let clock = simulation.clock
            let log = Log()
            // Same-instant work that hops actors several times, then sleeps into the future.
            let worker = Task(executorPreference: simulation) {
                for step in 1...5 { await log.add("hop \(step)") }
                try await clock.sleep(for: .seconds(90))
                await log.add("late")
            }
            try await clock.settle()
            let seen = await log.entries
            let now = clock.now
            worker.cancel()
            _ = try? await worker.value
            return (seen, now)
        }
        #expect(entries == ["hop 1", "hop 2", "hop 3", "hop 4", "hop 5"])
        #expect(time == SimTime(seconds: 0))
    }

    @Test func aTaskWaitingForeverStallsWithAnError() async {
        let simulation = Simulation(start: SimTime(seconds: 0))
        await #expect(throws: SimulationError.self) {
            try await simulation.run {
                await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }
            }
        }
    }

    @Test func seededStreamsAreIndependentAndRepeatable() {
        var a = SeededGenerator(seed: 1, stream: "x")
        var b = SeededGenerator(seed: 1, stream: "x")
        var c = SeededGenerator(seed: 1, stream: "y")
        let first = (0..<4).map { _ in a.next() }
        #expect(first == (0..<4).map { _ in b.next() })
        #expect(first != (0..<4).map { _ in c.next() })
    }
}

actor Log {
    var entries: [String] = []
    func add(_ entry: String) { entries.append(entry) }
}

@Suite(.timeLimit(.minutes(2))) struct JSONValueTests {
    @Test func parsingKeepsBooleansIntegersAndDoublesApart() throws {
        let value = try JSONValue(parsing: #"{"t": true, "f": false, "one": 1, "half": 0.5, "big": 12345678901234, "s": "1", "n": null, "a": [1, "x"]}"#)
        #expect(value == ["t": true, "f": false, "one": 1, "half": .double(0.5), "big": 12345678901234, "s": "1", "n": nil, "a": [1, "x"]])
    }

    @Test func canonicalTextSortsKeysAndRoundTrips() throws {
        let value: JSONValue = ["b": [1, 2], "a": ["z": "é\n\"q\""], "c": false]
        #expect(value.canonicalText == #"{"a":{"z":"é\n\"q\""},"b":[1,2],"c":false}"#)
        #expect(try JSONValue(parsing: value.canonicalText) == value)
    }

    @Test func malformedJSONIsAParseError() {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: "{nope") }
    }
}

@Suite(.timeLimit(.minutes(2))) struct GzipTests {
    @Test func compressThenDecompressRoundTrips() throws {
        let text = Data(String(repeating: "cohort export ", count: 10_000).utf8)
        let packed = try Gzip.compress(text)
        #expect(packed.count < text.count / 10)
        #expect(packed.prefix(2) == Data([0x1f, 0x8b]))
        #expect(try Gzip.decompress(packed) == text)
    }

    @Test func truncatedGzipIsRefused() throws {
        let packed = try Gzip.compress(Data(String(repeating: "x", count: 1000).utf8))
        #expect(throws: Gzip.Failure.self) { try Gzip.decompress(packed.prefix(packed.count / 2)) }
    }
}
