/// Calendar arithmetic for UTC timestamps without Foundation formatters (which depend on locale and time zone).
extension SimTime {
    /// `2026-01-05T09:00:00Z`, or with milliseconds when they are not zero.
    public var iso8601: String {
        let (date, secondsOfDay, millis) = components
        let time = String(format2(secondsOfDay / 3600)) + ":" + format2((secondsOfDay / 60) % 60) + ":" + format2(secondsOfDay % 60)
        let fraction = millis == 0 ? "" : "." + String(String(1000 + millis).dropFirst())
        return "\(date)T\(time)\(fraction)Z"
    }

    /// `2026-01-05T09:00:00+00:00`, as Mailchimp writes timestamps.
    public var mailchimpTimestamp: String {
        let (date, secondsOfDay, _) = components
        return "\(date)T\(format2(secondsOfDay / 3600)):\(format2((secondsOfDay / 60) % 60)):\(format2(secondsOfDay % 60))+00:00"
    }

    /// `2026-01-05 09:00:00`, as Mailchimp writes webhook `fired_at` and Mixpanel writes cohort `created`.
    public var spacedTimestamp: String {
        let (date, secondsOfDay, _) = components
        return "\(date) \(format2(secondsOfDay / 3600)):\(format2((secondsOfDay / 60) % 60)):\(format2(secondsOfDay % 60))"
    }

    /// `2026-01-05T09:00:00`, the naive form Mixpanel uses for profile dates.
    public var naiveTimestamp: String {
        let (date, secondsOfDay, _) = components
        return "\(date)T\(format2(secondsOfDay / 3600)):\(format2((secondsOfDay / 60) % 60)):\(format2(secondsOfDay % 60))"
    }

    /// `2026-01-05`.
    public var dateString: String { components.date }

    /// The calendar month, `2026-01`.
    public var monthString: String { String(components.date.prefix(7)) }

    private var components: (date: String, secondsOfDay: Int64, millis: Int64) {
        let ms = milliseconds
        let totalSeconds = ms >= 0 ? ms / 1000 : (ms - 999) / 1000
        let millis = ms - totalSeconds * 1000
        let days = totalSeconds >= 0 ? totalSeconds / 86400 : (totalSeconds - 86399) / 86400
        let secondsOfDay = totalSeconds - days * 86400
        let (y, m, d) = Self.civil(fromDays: days)
        let year = y < 0 ? "-" + pad(-y, 4) : pad(y, 4)
        return ("\(year)-\(format2(m))-\(format2(d))", secondsOfDay, millis)
    }

    /// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS[.fff]]` with `Z`, `+HH:MM` or no zone (UTC),
    /// and the spaced form `YYYY-MM-DD HH:MM:SS`.
    public init?(iso8601 text: String) {
        let chars = Array(text.trimmingWhitespace())
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= chars.count else { return nil }
            let slice = chars[range]
            guard slice.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Int64(String(slice))
        }
        guard chars.count >= 10, chars[4] == "-", chars[7] == "-",
              let y = number(0..<4), let mo = number(5..<7), let d = number(8..<10),
              (1...12).contains(mo), (1...31).contains(d) else { return nil }
        var seconds = Self.days(fromCivil: y, mo, d) * 86400
        var millis: Int64 = 0
        var index = 10
        if index < chars.count {
            guard chars[index] == "T" || chars[index] == " ",
                  let h = number(11..<13), chars.count > 13, chars[13] == ":", let mi = number(14..<16),
                  h < 24, mi < 60 else { return nil }
            seconds += h * 3600 + mi * 60
            index = 16
            if index < chars.count, chars[index] == ":" {
                guard let s = number(17..<19), s < 61 else { return nil }
                seconds += s
                index = 19
                if index < chars.count, chars[index] == "." {
                    var digits = ""
                    index += 1
                    while index < chars.count, chars[index].isASCII, chars[index].isNumber {
                        digits.append(chars[index]); index += 1
                    }
                    guard !digits.isEmpty else { return nil }
                    millis = Int64(String((digits + "00").prefix(3)))!
                }
            }
            if index < chars.count {
                if chars[index] == "Z" {
                    index += 1
                } else if chars[index] == "+" || chars[index] == "-" {
                    let sign: Int64 = chars[index] == "+" ? 1 : -1
                    guard let oh = number(index + 1..<index + 3) else { return nil }
                    var om: Int64 = 0
                    var next = index + 3
                    if next < chars.count, chars[next] == ":" { next += 1 }
                    if next + 2 <= chars.count, let m = number(next..<next + 2) { om = m; next += 2 }
                    seconds -= sign * (oh * 3600 + om * 60)
                    index = next
                }
                guard index == chars.count else { return nil }
            }
        }
        self.init(milliseconds: seconds * 1000 + millis)
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func days(fromCivil year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d)
    }
}

private func format2(_ value: Int64) -> String { pad(value, 2) }

private func pad(_ value: Int64, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}
