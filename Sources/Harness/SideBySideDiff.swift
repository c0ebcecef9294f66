/// A golden and an actual outcome side by side: the changed lines with a few lines of context,
/// deleted lines paired with the inserted lines that replace them. Built from the same edit
/// script as ``UnifiedDiff``, from the two texts (never by reading a diff back).
public struct SideBySideDiff: Sendable, Equatable {
    /// One row of the two columns.
    public struct Row: Sendable, Equatable {
        public enum Kind: String, Sendable, Equatable {
            /// The same line on both sides.
            case same
            /// A golden line replaced by an actual one.
            case changed
            /// Only in the golden.
            case deleted
            /// Only in the actual outcome.
            case inserted
            /// Unchanged lines left out between two hunks.
            case gap
        }

        public var kind: Kind
        /// 1-based line numbers; `nil` where the side has no line.
        public var goldenLine: Int?
        public var golden: String?
        public var actualLine: Int?
        public var actual: String?
    }

    public var rows: [Row]

    /// `golden` against `actual`, with `context` unchanged lines around each change.
    public init(golden: String, actual: String, context: Int = 3) {
        let a = golden.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let script = UnifiedDiff.editScript(a, b)
        var all: [Row] = []
        var index = 0
        while index < script.count {
            let op = script[index]
            guard op.kind != .same else {
                all.append(Row(kind: .same, goldenLine: op.aIndex + 1, golden: a[op.aIndex], actualLine: op.bIndex + 1, actual: b[op.bIndex]))
                index += 1
                continue
            }
            var deleted: [Int] = [], inserted: [Int] = []
            while index < script.count, script[index].kind != .same {
                if script[index].kind == .delete { deleted.append(script[index].aIndex) } else { inserted.append(script[index].bIndex) }
                index += 1
            }
            for i in 0..<max(deleted.count, inserted.count) {
                let left = i < deleted.count ? deleted[i] : nil, right = i < inserted.count ? inserted[i] : nil
                let kind: Row.Kind = left != nil && right != nil ? .changed : left != nil ? .deleted : .inserted
                all.append(Row(kind: kind, goldenLine: left.map { $0 + 1 }, golden: left.map { a[$0] },
                               actualLine: right.map { $0 + 1 }, actual: right.map { b[$0] }))
            }
        }
        rows = Self.trimmed(all, context: context)
    }

    /// True when the two texts are equal.
    public var isEmpty: Bool { !rows.contains { $0.kind != .same && $0.kind != .gap } }

    /// Keeps `context` same rows around changes; each left-out stretch becomes one gap row.
    private static func trimmed(_ rows: [Row], context: Int) -> [Row] {
        let changed = rows.indices.filter { rows[$0].kind != .same }
        guard !changed.isEmpty else { return [] }
        var keep = Set<Int>()
        for i in changed { for j in max(0, i - context)...min(rows.count - 1, i + context) { keep.insert(j) } }
        var out: [Row] = []
        var skipping = false
        for (i, row) in rows.enumerated() {
            if keep.contains(i) {
                out.append(row)
                skipping = false
            } else if !skipping {
                out.append(Row(kind: .gap))
                skipping = true
            }
        }
        return out
    }
}
