/// JUnit XML for CI: one test case per scenario; a failure's text is its diff or error.
public enum JUnitReport {
    public static func xml(_ summary: SuiteRunner.Summary, suiteName: String = "cohortsim") -> String {
        var cases: [String] = []
        for result in summary.results {
            let id = result.scenarioID
            let classname = id.split(separator: "/").dropLast().joined(separator: ".")
            let name = String(id.split(separator: "/").last ?? Substring(id))
            var body = ""
            if result.failed {
                let (message, text) = failure(result)
                body = "\n      <failure message=\"\(escape(message))\">\(escape(text))</failure>\n    "
            }
            cases.append("    <testcase classname=\"\(escape(classname.isEmpty ? "scenarios" : "scenarios." + classname))\" name=\"\(escape(name))\" file=\"\(escape(result.file))\" time=\"\(seconds(result.seconds))\">\(body)</testcase>")
        }
        for orphan in summary.orphans {
            cases.append("    <testcase classname=\"goldens\" name=\"\(escape(orphan))\">\n      <failure message=\"orphaned golden\">No scenario produces golden/\(escape(orphan)).golden; delete it or restore its scenario.</failure>\n    </testcase>")
        }
        let tests = summary.results.count + summary.orphans.count
        let total = seconds(summary.results.map(\.seconds).reduce(0, +))
        return """
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="\(escape(suiteName))" tests="\(tests)" failures="\(summary.failed)">
          <testsuite name="\(escape(suiteName))" tests="\(tests)" failures="\(summary.failed)" skipped="0" time="\(total)">
        \(cases.joined(separator: "\n"))
          </testsuite>
        </testsuites>

        """
    }

    /// Seconds with millisecond precision, as JUnit readers expect.
    static func seconds(_ value: Double) -> String { String(format: "%.3f", value) }

    /// A one-line message and the full text for a failed result.
    public static func failure(_ result: SuiteRunner.Result) -> (String, String) {
        var text = result.error ?? ""
        let message: String
        switch result.verdict {
        case .mismatch(let diff), .pending(let diff):
            message = "outcome differs from golden"
            text = (text.isEmpty ? "" : text + "\n") + diff
        case .missing:
            message = "no golden (run with --record missing to create it)"
        default:
            message = result.error.map { String($0.split(separator: "\n").first ?? "") } ?? "failed"
        }
        return (message, text)
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n", "\t", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20: out += "?"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
