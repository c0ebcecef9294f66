import SimCore
import SimHTTP

/// The fake Mixpanel's default service times.
///
/// Mixpanel publishes no latency figures; these are **estimates** (docs/fidelity.md, "Latency"):
/// an `/engage` page of 1,000 profiles ≈ 1.5 s, the cohort listing 0.4 s, ingestion calls a few
/// hundred milliseconds. Scenarios override them (`mixpanel.latency`) or switch them off.
public enum MixpanelLatency {
    public static let standard = LatencyModel(rules: [
        .init(path: "/api/query/engage", base: SimDuration(milliseconds: 800), perKiB: SimDuration(milliseconds: 4)),
        .init(path: "/api/2.0/engage", base: SimDuration(milliseconds: 800), perKiB: SimDuration(milliseconds: 4)),
        .init(path: "/api/*/cohorts/list", base: SimDuration(milliseconds: 400), perKiB: SimDuration(milliseconds: 1)),
        .init(path: "/import", base: SimDuration(milliseconds: 150), perKiB: SimDuration(milliseconds: 1)),
        .init(path: "/track", base: SimDuration(milliseconds: 100), perKiB: SimDuration(milliseconds: 1)),
        .init(path: "/engage", base: SimDuration(milliseconds: 100), perKiB: SimDuration(milliseconds: 1)),
        .init(path: "/api/app/**", base: SimDuration(milliseconds: 300)),
        .init(base: SimDuration(milliseconds: 300), perKiB: SimDuration(milliseconds: 2)),
    ])
}
