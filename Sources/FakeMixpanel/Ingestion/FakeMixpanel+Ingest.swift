import GRDB
import SimCore

extension FakeMixpanel {
    /// Ingests one event as a scenario step, as if imported now (``IngestionRules/direct``): the
    /// project's identity rules apply (`$identify`, `$create_alias`, `$merge`, or Simplified's
    /// `$device_id`/`$user_id`), but no token, `time`, `distinct_id` or `$insert_id` is required,
    /// and `time` (seconds or milliseconds) defaults to now. A refused event is returned, not thrown.
    ///
    /// ```swift
    /// try fake.track(event: "$identify", properties: ["$identified_id": "u1", "$anon_id": anonUUID])
    /// ```
    @discardableResult
    public func track(event name: String, properties: [String: JSONValue] = [:]) throws -> IngestResult {
        try ingest(raw: [["event": .string(name), "properties": .object(properties)]], rules: .direct).first!
    }

    /// Ingests `events` in the given order under `rules` (default: ``IngestionRules/direct``).
    @discardableResult
    public func ingest(_ events: [MixpanelWorld.Event], rules: IngestionRules = .direct) throws -> [IngestResult] {
        try ingest(events, rules: rules, ingestedAtEventTime: false)
    }

    @discardableResult
    func ingest(_ events: [MixpanelWorld.Event], rules: IngestionRules, ingestedAtEventTime: Bool) throws -> [IngestResult] {
        let raw = events.map { event -> JSONValue in ["event": .string(event.name), "properties": .object(event.properties)] }
        return try ingest(raw: raw, rules: rules, times: events.map(\.time), ingestedAtEventTime: ingestedAtEventTime)
    }

    /// Validates and stores raw events (`{"event": …, "properties": {…}}`), applying identity
    /// operations in order. Returns one result per event; refused events are not stored.
    ///
    /// - Parameters:
    ///   - times: event times given as values (they replace `properties.time`).
    ///   - ingestedAtEventTime: the world's events count as ingested when they happened, so
    ///     `mp_processing_time_ms` and the ingestion-time MTU basis see them in their own month.
    func ingest(raw: [JSONValue], rules: IngestionRules, times: [SimTime]? = nil,
                ingestedAtEventTime: Bool = false) throws -> [IngestResult] {
        let now = clock.now
        let validator = EventValidator(rules: rules, token: token, mode: idMerge, now: now, seed: seed)
        var results: [IngestResult] = []
        var accepted: [(event: IngestedEvent, ingested: SimTime)] = []
        for (index, item) in raw.enumerated() {
            switch validator.validate(item, index: index, time: times?[index]) {
            case .failure(let failure):
                results.append(IngestResult(failure: failure, distinctID: nil, identity: nil))
            case .success(var event):
                let ingested = ingestedAtEventTime ? event.time : now
                let outcome = event.identity.map { operation in identity.withLock { $0.apply(operation, at: ingested) } }
                if case .failed(let reason, let description) = outcome { markFailure(&event, reason, description) }
                let reported: IdentityOutcome? = if case .some(.seen) = event.identity { nil } else { outcome }
                results.append(IngestResult(failure: nil, distinctID: event.distinctID, identity: reported))
                accepted.append((event, ingested))
            }
        }
        guard !accepted.isEmpty else { return results }
        try database.write { db in
            for (event, ingested) in accepted { try insert(event, ingested: ingested, db: db) }
            try persistIdentity(db)
        }
        return results
    }

    /// Records a refused merge on the stored special event (§2.2).
    private func markFailure(_ event: inout IngestedEvent, _ reason: String, _ description: String) {
        switch idMerge {
        case .original:
            event.properties["$failure_reason"] = .string(reason)
            event.properties["$failure_description"] = .string(description)
        case .simplified:
            event.properties["$identity_failure_reason"] = .string(reason)
        }
    }

    private func insert(_ event: IngestedEvent, ingested: SimTime, db: Database) throws {
        try db.cachedStatement(sql: """
            INSERT INTO event (name, distinct_id, time, ingested, insert_id, properties, deduplicate)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [event.name, event.distinctID, event.time.milliseconds, ingested.milliseconds,
                             event.insertID, JSONValue.object(event.properties).canonicalText, event.deduplicate])
    }
}
