/// A named point inside a sync run where a test or scenario can make the engine die, as if the
/// process had been killed there (crash-safety testing).
///
/// When a run reaches an armed point, the engine throws ``SimulatedCrash`` and stops all work:
/// nothing more is sent or recorded, the schedule is cancelled and every later call on that engine
/// instance is refused. Whatever was already committed to SQLite stays, exactly as after a real
/// crash. A new engine opened on the same database then finishes the work with
/// ``ExportEngine/recoverInterruptedRuns()``.
public enum CrashPoint: String, Sendable, Equatable, Hashable, CaseIterable {
    /// The cohort has been read from Mixpanel; nothing has been written to Mailchimp.
    case afterCohortRead = "after-cohort-read"
    /// New contacts have been created (batch subscribe) but not tagged.
    case afterContactsCreated = "after-contacts-created"
    /// Tags have been added and removed; the run is not recorded and the snapshot not advanced.
    case afterTagUpdate = "after-tag-update"
    /// Everything is done on Mailchimp; the engine is about to commit the run and the snapshot.
    case beforeRecord = "before-record"
}

/// Thrown when a run reaches an armed ``CrashPoint``: the engine instance is dead afterwards.
public struct SimulatedCrash: Error, Equatable, Sendable, CustomStringConvertible {
    public let point: CrashPoint

    public init(point: CrashPoint) { self.point = point }

    public var description: String { "simulated crash \(point.rawValue)" }
}
