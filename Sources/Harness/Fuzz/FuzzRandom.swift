import SimCore

/// Seeded choices for the generator: every draw comes from one ``SeededGenerator`` stream, so a
/// seed names exactly one world and timeline.
struct FuzzRandom {
    private var generator: SeededGenerator

    init(seed: UInt64, stream: String) { generator = SeededGenerator(seed: seed, stream: stream) }

    /// `true` with probability `p`.
    mutating func chance(_ p: Double) -> Bool { generator.nextUnit() < p }

    /// Seeded: draws from `generator`, never the system source.
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &generator) } // wall-clock ok: seeded generator

    mutating func pick<T>(_ items: [T]) -> T {
        precondition(!items.isEmpty, "pick from an empty list")
        return items[int(0...(items.count - 1))]
    }

    /// One of `options`, each with its weight (weights ≤ 0 are never picked).
    mutating func weighted<T>(_ options: [(T, Int)]) -> T {
        let total = options.reduce(0) { $0 + max(0, $1.1) }
        precondition(total > 0, "no option has a positive weight")
        var draw = int(1...total)
        for (value, weight) in options where weight > 0 {
            draw -= weight
            if draw <= 0 { return value }
        }
        return options.last { $0.1 > 0 }!.0
    }

    /// A subset of `items`, each kept with probability `p`, in order.
    mutating func subset<T>(_ items: [T], _ p: Double) -> [T] { items.filter { _ in chance(p) } }
}
