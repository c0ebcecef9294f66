import FakeMixpanel
import Foundation
import SimCore
import SimHTTP

extension World {
    /// The Mixpanel side of the outcome: events that came from Mailchimp (read back through the
    /// fake's raw export API) and monthly tracked users for every month the scenario touched.
    func mixpanelLines() async throws -> [String] {
        let events = try await exportedEvents()
        var lines: [String] = []
        let fromMailchimp = events.filter { $0["properties"]?["$source"]?.stringValue == "mailchimp" }
        if !fromMailchimp.isEmpty {
            lines.append("events from Mailchimp: \(fromMailchimp.count)")
            lines += OutcomeRenderer.abbreviated(fromMailchimp.map(Self.describe).sorted(), what: "events")
        }
        guard !events.isEmpty else { return lines }
        let eventTimes = events.compactMap { $0["properties"]?["time"]?.intValue }.map { SimTime(seconds: $0) }
        for month in months(from: eventTimes.min()) {
            let report = try mixpanel.mtu(month: month)
            lines.append("mtu \(month): \(report.count) user\(report.count == 1 ? "" : "s"), billable \(report.billable); "
                         + "qualifying events \(report.qualifyingEvents), excluded \(report.excludedEvents), exempt \(report.exemptEvents)"
                         + (report.users.isEmpty ? "" : ": " + report.users.prefix(50).joined(separator: ", ") + (report.users.count > 50 ? ", …" : "")))
        }
        return lines
    }

    /// Calendar months from the earliest event (or the scenario's start) to now.
    private func months(from earliestEvent: SimTime?) -> [String] {
        var months: [String] = []
        var cursor = min(scenario.start, earliestEvent ?? scenario.start)
        while cursor <= clock.now {
            if months.last != cursor.monthString { months.append(cursor.monthString) }
            cursor = cursor.adding(.days(1))
        }
        if months.last != clock.now.monthString { months.append(clock.now.monthString) }
        return months
    }

    /// Every stored event, through `GET /api/2.0/export` as a client would read it.
    func exportedEvents() async throws -> [JSONValue] {
        let from = (scenario.mixpanel.events.map(\.time) + [scenario.start]).min()!.adding(.days(-90)).dateString
        let to = clock.now.adding(.days(1)).dateString
        let account = scenario.mixpanel.serviceAccounts.first
        var headers = HTTPHeaders()
        headers.add("Authorization", "Basic " + Data("\(account?.username ?? ""):\(account?.secret ?? "")".utf8).base64EncodedString())
        let request = HTTPRequest(method: "GET", url: "https://data.mixpanel.com/api/2.0/export?from_date=\(from)&to_date=\(to)&project_id=\(scenario.mixpanel.projectID)",
                                  headers: headers)
        let response = await mixpanel.inspect(request)
        guard response.status == 200 else {
            throw StepFailure(message: "reading events back from the fake Mixpanel failed: HTTP \(response.status) \(response.bodyText)")
        }
        return try response.bodyText.split(separator: "\n").enumerated().map { index, line in
            do { return try JSONValue(parsing: String(line)) } catch {
                throw StepFailure(message: "the fake Mixpanel's export line \(index + 1) is not JSON (\(error)): \(line.prefix(200))")
            }
        }
    }

    private static func describe(_ event: JSONValue) -> String {
        let p = event["properties"]
        let seconds = p?["time"]?.intValue ?? 0
        var line = "  \(SimTime(seconds: seconds)) \(event["event"]?.stringValue ?? "?") distinct_id=\(p?["distinct_id"]?.stringValue ?? "")"
        if let campaign = p?["campaign_id"]?.stringValue { line += " campaign=\(campaign)" }
        if let url = p?["url"]?.stringValue { line += " url=\(url)" }
        return line
    }
}
