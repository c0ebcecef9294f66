import ArgumentParser
import Foundation
import Harness

extension CohortSim {
    /// `cohortsim review`: shows each pending golden as a diff against the golden it would replace.
    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show pending goldens (written by --record missing|failed|all) as diffs.",
            discussion: "Example:\n  cohortsim review dynamic/join-and-leave")

        @OptionGroup var locations: SuiteLocations

        @Argument(help: "Scenario ids to review (default: all pending).")
        var names: [String] = []

        mutating func run() async throws {
            let store = GoldenStore(root: locations.goldens)
            let terminal = Terminal()
            let ids = names.isEmpty ? store.pendingIDs() : names
            guard !ids.isEmpty else { print("No pending goldens."); return }
            for id in ids {
                guard let diff = store.pendingDiff(for: id) else { throw invalidInput("no pending golden for '\(id)'") }
                print(terminal.bold("==== \(id)"))
                print(terminal.diff(diff.isEmpty ? "(identical to the golden)\n" : diff), terminator: "")
            }
            print("\(ids.count) pending; accept with `cohortsim accept [NAME ...]`, or reject with `cohortsim reject [NAME ...]`")
        }
    }

    /// `cohortsim reject`: deletes pending outcomes; the goldens stay as they were.
    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Reject pending goldens (all, or the named scenario ids): delete them, keep the goldens.",
            discussion: "Example:\n  cohortsim reject dynamic/join-and-leave")

        @OptionGroup var locations: SuiteLocations

        @Argument(help: "Scenario ids to reject (default: all pending).")
        var names: [String] = []

        mutating func run() async throws {
            try settlePending(names, in: GoldenStore(root: locations.goldens)) { store, id in
                try store.reject(id) ? "rejected \(store.pendingPath(for: id))" : nil
            }
        }
    }

    /// `cohortsim accept`: replaces goldens with their pending outcomes.
    struct Accept: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accept pending goldens (all, or the named scenario ids).",
            discussion: "Example:\n  cohortsim accept dynamic/join-and-leave")

        @OptionGroup var locations: SuiteLocations

        @Argument(help: "Scenario ids to accept (default: all pending).")
        var names: [String] = []

        mutating func run() async throws {
            try settlePending(names, in: GoldenStore(root: locations.goldens)) { store, id in
                try store.accept(id) ? "accepted \(store.path(for: id))" : nil
            }
        }
    }
}

/// Applies `settle` (accept or reject) to the named pending goldens, or to all of them, printing
/// what it did; a name with nothing pending is invalid input.
private func settlePending(_ names: [String], in store: GoldenStore, _ settle: (GoldenStore, String) throws -> String?) throws {
    let ids = names.isEmpty ? store.pendingIDs() : names
    guard !ids.isEmpty else { print("No pending goldens."); return }
    for id in ids {
        guard let done = try settle(store, id) else { throw invalidInput("no pending golden for '\(id)'") }
        print(done)
    }
}
