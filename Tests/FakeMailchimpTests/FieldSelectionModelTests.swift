import Testing
import SimCore
import SimHTTP
@testable import FakeMailchimp

/// `FieldSelection.apply` (a path tree) trims exactly as the plain definition below: for each key,
/// the paths starting with it; a path of length one names the whole value.
@Suite(.timeLimit(.minutes(2))) struct FieldSelectionModelTests {
    static func keep(_ value: JSONValue, _ paths: [[Substring]]) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map { keep($0, paths) })
        case .object(let object):
            var kept: [String: JSONValue] = [:]
            for (key, child) in object {
                let matching = paths.filter { $0.first == Substring(key) }
                if matching.isEmpty { continue }
                if matching.contains(where: { $0.count == 1 }) { kept[key] = child; continue }
                kept[key] = keep(child, matching.map { Array($0.dropFirst()) })
            }
            return .object(kept)
        default: return value
        }
    }

    static func drop(_ value: JSONValue, _ paths: [[Substring]]) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map { drop($0, paths) })
        case .object(let object):
            var kept: [String: JSONValue] = [:]
            for (key, child) in object {
                let matching = paths.filter { $0.first == Substring(key) }
                if matching.contains(where: { $0.count == 1 }) { continue }
                kept[key] = matching.isEmpty ? child : drop(child, matching.map { Array($0.dropFirst()) })
            }
            return .object(kept)
        default: return value
        }
    }

    static func value(_ generator: inout SeededGenerator, depth: Int) -> JSONValue {
        switch generator.next() % (depth > 2 ? 2 : 4) {
        case 0: return .int(Int64(generator.next() % 10))
        case 1: return .string("v")
        case 2: return .array((0..<Int(generator.next() % 3)).map { _ in value(&generator, depth: depth + 1) })
        default:
            var object: [String: JSONValue] = [:]
            for _ in 0..<Int(generator.next() % 4) { object["k\(generator.next() % 4)"] = value(&generator, depth: depth + 1) }
            return .object(object)
        }
    }

    @Test func pathTreeTrimsLikeThePlainDefinition() {
        var generator = SeededGenerator(seed: 9, stream: "field-selection")
        for _ in 0..<2000 {
            let document = Self.value(&generator, depth: 0)
            let paths = (0..<Int(1 + generator.next() % 3)).map { _ in
                (0..<Int(1 + generator.next() % 3)).map { _ in "k\(generator.next() % 4)" }.joined(separator: ".")
            }.joined(separator: ",")
            for name in ["fields", "exclude_fields"] {
                let request = HTTPRequest(method: "GET", path: "/3.0/x", query: [(name: name, value: paths)])
                let selection = FieldSelection(request)!
                let expected = name == "fields" ? Self.keep(document, selection.include) : Self.drop(document, selection.exclude)
                #expect(selection.apply(to: document) == expected, "\(name)=\(paths) on \(document.canonicalText)")
            }
        }
    }
}
