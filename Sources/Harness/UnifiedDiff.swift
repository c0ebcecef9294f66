/// Line-based unified diff (Myers' O(ND) algorithm) with labelled headers and 3 lines of context.
public enum UnifiedDiff {
    public static func diff(expected: String, actual: String, expectedLabel: String, actualLabel: String, context: Int = 3) -> String {
        let a = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let b = actual.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let script = editScript(a, b)
        guard script.contains(where: { $0.kind != .same }) else { return "" }
        var out = ["--- \(expectedLabel)", "+++ \(actualLabel)"]
        var index = 0
        while index < script.count {
            guard let firstChange = script[index...].firstIndex(where: { $0.kind != .same }) else { break }
            var start = max(index, firstChange - context)
            var end = firstChange
            while end < script.count {
                if script[end].kind != .same { end += 1; continue }
                let nextChange = script[end...].firstIndex(where: { $0.kind != .same })
                if let next = nextChange, next - end <= context * 2 { end = next } else { break }
            }
            let stop = min(script.count, end + context)
            if start < index { start = index }
            let hunk = script[start..<stop]
            let aStart = (hunk.first?.aIndex ?? 0) + 1
            let bStart = (hunk.first?.bIndex ?? 0) + 1
            let aCount = hunk.filter { $0.kind != .insert }.count
            let bCount = hunk.filter { $0.kind != .delete }.count
            out.append("@@ -\(aStart),\(aCount) +\(bStart),\(bCount) @@")
            for op in hunk {
                switch op.kind {
                case .same: out.append(" " + a[op.aIndex])
                case .delete: out.append("-" + a[op.aIndex])
                case .insert: out.append("+" + b[op.bIndex])
                }
            }
            index = stop
        }
        return out.joined(separator: "\n") + "\n"
    }

    struct Operation {
        enum Kind { case same, delete, insert }
        var kind: Kind
        /// Position in `a` (for same/delete) or the next `a` line (for insert).
        var aIndex: Int
        var bIndex: Int
    }

    /// The shortest edit script turning `a` into `b`.
    static func editScript(_ a: [String], _ b: [String]) -> [Operation] {
        let n = a.count, m = b.count, max = n + m
        var v = [Int](repeating: 0, count: 2 * max + 2)
        var trace: [[Int]] = []
        outer: for d in 0...max {
            trace.append(v)
            for k in stride(from: -d, through: d, by: 2) {
                var x = (k == -d || (k != d && v[k - 1 + max] < v[k + 1 + max])) ? v[k + 1 + max] : v[k - 1 + max] + 1
                var y = x - k
                while x < n, y < m, a[x] == b[y] { x += 1; y += 1 }
                v[k + max] = x
                if x >= n && y >= m { trace.append(v); break outer }
            }
        }
        var ops: [Operation] = []
        var x = n, y = m
        for d in stride(from: trace.count - 2, through: 0, by: -1) {
            let v = trace[d]
            let k = x - y
            let prevK = (k == -d || (k != d && v[k - 1 + max] < v[k + 1 + max])) ? k + 1 : k - 1
            let prevX = v[prevK + max], prevY = prevX - prevK
            while x > prevX && y > prevY { x -= 1; y -= 1; ops.append(Operation(kind: .same, aIndex: x, bIndex: y)) }
            if d > 0 {
                if x == prevX { y -= 1; ops.append(Operation(kind: .insert, aIndex: x, bIndex: y)) } else { x -= 1; ops.append(Operation(kind: .delete, aIndex: x, bIndex: y)) }
            }
        }
        return ops.reversed()
    }
}
