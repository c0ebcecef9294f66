import SimCore
import SimHTTP

/// The fake Mailchimp's default service times.
///
/// Mailchimp publishes no latency figures; these are **estimates** (docs/fidelity.md, "Latency"),
/// chosen so the slow calls are the ones clients report as slow: batch subscribe grows with its
/// members (500 addresses ≈ 40 KiB ≈ 2 s), segment writes with their addresses, listings with the
/// members they return. Scenarios override them (`mailchimp.latency`) or switch them off.
public enum MailchimpLatency {
    public static let standard = LatencyModel(rules: [
        .init(method: "GET", path: "/3.0/ping", base: SimDuration(milliseconds: 150)),
        .init(method: "POST", path: "/3.0/lists/*", base: SimDuration(milliseconds: 500), perKiB: SimDuration(milliseconds: 40)),
        .init(method: "POST", path: "/3.0/lists/*/segments/*", base: SimDuration(milliseconds: 300), perKiB: SimDuration(milliseconds: 25)),
        .init(method: "POST", path: "/3.0/batches", base: SimDuration(milliseconds: 400), perKiB: SimDuration(milliseconds: 5)),
        .init(method: "GET", path: "/3.0/**", base: SimDuration(milliseconds: 250), perKiB: SimDuration(milliseconds: 2)),
        .init(path: "/3.0/**", base: SimDuration(milliseconds: 300), perKiB: SimDuration(milliseconds: 10)),
    ])
}
