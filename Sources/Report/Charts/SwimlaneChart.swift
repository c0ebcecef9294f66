import Harness
import SimCore

/// The request journal as one lane per service: successful requests as bars (neighbours closer
/// than a pixel merged into one bar, so a lane stays small at any volume), 429s, faults and
/// other failures as tall marks, retries as dots, and the scenario's fault windows shaded.
struct SwimlaneChart {
    let requests: [TraceRequest]
    let faultWindows: [FaultWindow]
    let layout: ChartLayout
    let redact: (String) -> String

    /// What a mark shows, in drawing order.
    enum Mark: String, CaseIterable {
        case rateLimited = "mark-429", fault = "mark-fault", failure = "mark-failure", retry = "mark-retry"

        static func of(_ request: TraceRequest) -> [Mark] {
            var marks: [Mark] = []
            if request.isRateLimited { marks.append(.rateLimited) } else if request.isFault { marks.append(.fault) } else if request.isFailure { marks.append(.failure) }
            if request.isRetry { marks.append(.retry) }
            return marks
        }
    }

    var services: [String] { Array(Set(requests.map(\.service) + faultWindows.map(\.service))).sorted() }

    func render() -> SVG.Body {
        let laneHeight = 40.0
        let height = laneHeight * Double(max(services.count, 1)) + 34
        var nodes: [SVG.Body] = []
        for (index, service) in services.enumerated() {
            let top = 6 + laneHeight * Double(index)
            let lane = requests.filter { $0.service == service }
            nodes.append(SVG.text("\(service) (\(lane.count))", x: 8, y: top + 22, className: "lane"))
            nodes.append(SVG.line(x1: ChartLayout.left, y1: top + laneHeight - 3, x2: ChartLayout.right, y2: top + laneHeight - 3, className: "grid"))
            nodes += windows(faultWindows.filter { $0.service == service }, top: top, height: laneHeight - 6)
            nodes += bars(lane.filter { !$0.isFailure }, y: top + 13)
            nodes += marks(lane, top: top)
        }
        nodes += SVG.axis(layout.scale, y: height - 22)
        return SVG.chart(width: ChartLayout.width, height: height, label: "\(requests.count) requests by service", className: "swimlanes", nodes)
    }

    private func windows(_ windows: [FaultWindow], top: Double, height: Double) -> [SVG.Body] {
        windows.map { window in
            let x0 = layout.scale.x(window.from), x1 = max(layout.scale.x(window.until ?? layout.scale.end), x0 + 2)
            return SVG.rect(x: x0, y: top, width: x1 - x0, height: height, className: "fault-window",
                            title: "fault window \(window.from) → \(window.until.map(String.init(describing:)) ?? "end"): \(redact(window.label))")
        }
    }

    /// Successful requests, merged where they touch at this scale.
    private func bars(_ lane: [TraceRequest], y: Double) -> [SVG.Body] {
        var groups: [(x0: Double, x1: Double, first: TraceRequest, last: TraceRequest, count: Int)] = []
        for request in lane {
            let x0 = layout.scale.x(request.time), x1 = max(layout.scale.x(request.end), x0 + 2)
            if let open = groups.last, x0 <= open.x1 + 1 {
                groups[groups.count - 1] = (open.x0, max(open.x1, x1), open.first, request, open.count + 1)
            } else {
                groups.append((x0, x1, request, request, 1))
            }
        }
        return groups.map { group in
            let title = group.count == 1 ? describe(group.first)
                : "\(group.count) requests \(group.first.time) → \(group.last.end), first: \(describe(group.first))"
            return SVG.rect(x: group.x0, y: y, width: group.x1 - group.x0, height: 12, className: "req", title: title)
        }
    }

    /// Failure and retry marks, one per kind and pixel (with the count in its tooltip).
    private func marks(_ lane: [TraceRequest], top: Double) -> [SVG.Body] {
        var buckets: [(mark: Mark, x: Int, first: TraceRequest, count: Int)] = []
        var index: [String: Int] = [:]  // lookup only; buckets keep journal order
        for request in lane {
            for mark in Mark.of(request) {
                let x = Int(layout.scale.x(request.time).rounded())
                let key = "\(mark.rawValue) \(x)"
                if let at = index[key] { buckets[at].count += 1 } else {
                    index[key] = buckets.count
                    buckets.append((mark, x, request, 1))
                }
            }
        }
        return buckets.map { bucket in
            let title = (bucket.count > 1 ? "\(bucket.count)× " : "") + label(bucket.mark) + ": " + describe(bucket.first)
            let x = Double(bucket.x)
            return bucket.mark == .retry
                ? SVG.circle(x: x, y: top + 5, r: 2.5, className: "mark " + bucket.mark.rawValue, title: title)
                : SVG.rect(x: x - 1.5, y: top + 8, width: 3, height: 22, className: "mark " + bucket.mark.rawValue, title: title)
        }
    }

    private func label(_ mark: Mark) -> String {
        switch mark {
        case .rateLimited: "429 rate limited"
        case .fault: "fault"
        case .failure: "failed"
        case .retry: "retry"
        }
    }

    private func describe(_ request: TraceRequest) -> String {
        "\(request.method) \(redact(request.path)) -> \(request.outcome) at \(layout.when(request.time)), +\(request.end.duration(since: request.time))"
    }
}
