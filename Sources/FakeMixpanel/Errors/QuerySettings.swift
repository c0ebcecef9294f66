/// How the fake's query API meters and pages its answers.
public struct QuerySettings: Sendable, Equatable {
    /// Enforce the query API's per-project limits (§6.2): 60 queries per rolling hour, 5 at once.
    public var rateLimited: Bool
    /// Ambiguous (the reference leaves sessions undocumented, A19): whether a later page of an
    /// open `/engage` session is a query of its own (docs/fidelity.md, "Mixpanel Query API limits"). Default `true`, every page counts: the stricter reading,
    /// so an engine that pages a large cohort must live within 60 pages an hour. `false`: only a
    /// query that opens a session counts.
    public var sessionPagesCount: Bool
    /// Rows per `/engage` page: 1,000 on the real service. A smaller value is a test lever, so
    /// a small world pages like a large one (a 1,000-page cohort of 5,000 profiles).
    public var pageSize: Int

    public init(rateLimited: Bool = false, sessionPagesCount: Bool = true, pageSize: Int = FakeMixpanel.pageSize) {
        self.rateLimited = rateLimited
        self.sessionPagesCount = sessionPagesCount
        self.pageSize = pageSize
    }
}
