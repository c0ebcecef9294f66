import SimCore

extension ExportEngine {
    /// The stop reason disconnecting gives; reconnecting resumes the dynamic syncs stopped with it.
    static let disconnectedReason = "account disconnected"

    /// Reconnection: the dynamic syncs that ``disconnect()`` stopped become active again, due at
    /// the slot their last run's schedule gives (``nextSlot(after:)``: its slot, or its start,
    /// plus ``EngineConfiguration/syncInterval``, past any slots the run overran), or at once
    /// when that slot passed while disconnected (mixpanel.md §8.1: "Disconnecting and
    /// reconnecting resumes exports"). Paused and user-stopped syncs stay as they are.
    func resumeDisconnectedSyncs() throws {
        let resumed = try stored("resume the syncs that disconnecting stopped") {
            try store.resumeDisconnected(reason: Self.disconnectedReason, at: clock.now) { nextSlot(after: $0).time }
        }
        if !resumed.isEmpty { try reschedule() }
    }

    /// Resumes a paused sync once its cause is fixed (a new API key connected, the audience or
    /// the firewall rule restored): it becomes active and runs at once with the trigger
    /// `resume`, a full reconcile against the tag's members on Mailchimp; a dynamic sync then
    /// keeps its schedule from that run.
    ///
    /// If the cause is still there the run pauses the sync again, with the new reason (the
    /// returned report's outcome is ``RunReport/Outcome/paused``). Both changes are in the
    /// sync's history (``stateChanges()``).
    ///
    /// - Throws: ``EngineError`` when there is no such sync, it is not paused (an active, finished
    ///   or stopped sync is not resumed; stopped by disconnecting: reconnect), or no Mailchimp
    ///   account is connected; store errors; ``SimulatedCrash``.
    @discardableResult
    public func resume(syncID: Int64) async throws -> RunReport {
        if let crash { throw crash }
        guard let sync = try stored("read sync \(syncID)", { try store.sync(syncID) }) else {
            throw EngineError("there is no sync \(syncID)")
        }
        guard case .paused(let reason) = sync.state else {
            let hint = sync.state == .stopped(reason: Self.disconnectedReason) ? " (reconnecting resumes it)" : ""
            throw EngineError("sync \(syncID) is \(sync.state), not paused: nothing to resume\(hint)")
        }
        guard try stored("read the Mailchimp connection", store.connection) != nil else {
            throw EngineError("sync \(syncID) stays paused: no Mailchimp account connected (connect first)")
        }
        try stored("resume sync \(syncID)") {
            try store.setState(sync: syncID, .active, nextRun: nil, at: clock.now, cause: "resumed by user (was paused: \(reason))")
        }
        let report = try await run(syncID: syncID, trigger: .resume)
        try reschedule()
        return report
    }
}
