/// Sometimes-properties: paths a fuzz run is meant to reach now and then. A campaign counts how
/// many seeds reached each, so a run that never exercised, say, a retried 429 says so.
public enum CoveragePoint: String, Sendable, Hashable, CaseIterable, Comparable {
    case retried429 = "retried-429"
    case retryAfterHonoured = "429-with-retry-after"
    case retried5xx = "retried-5xx"
    case timedOut = "timed-out"
    case dropped = "dropped-connection"
    case lostResponse = "lost-response"
    case htmlOrEmptyPage = "html-or-empty-page"
    case slowAnswer = "slow-answer"
    case clientError = "whole-request-4xx"
    case mixpanelFault = "mixpanel-fault"
    case stopDuringRun = "stop-during-run"
    case disconnectDuringRun = "disconnect-during-run"
    case cohortDeletedDuringRun = "cohort-deleted-during-run"
    case crashAfterCohortRead = "crash-after-cohort-read"
    case crashAfterContactsCreated = "crash-after-contacts-created"
    case crashAfterTagUpdate = "crash-after-tag-update"
    case crashBeforeRecord = "crash-before-record"
    case recoveryRun = "recovery-run"
    case snapshotExpired = "snapshot-expired-full-reconcile"
    case monthBoundary = "month-boundary-crossed"
    case runFailed = "run-failed"
    case runPaused = "run-paused"
    case complianceSkip = "compliance-skip"
    case duplicateEmailSkip = "duplicate-email-skip"
    case invalidEmailSkip = "invalid-email-skip"
    case anonymousSkip = "anonymous-skip"
    case engagementImported = "engagement-imported"
    case reimport = "engagement-re-imported"
    case convergenceChecked = "convergence-checked"

    public static func < (lhs: CoveragePoint, rhs: CoveragePoint) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
