import ArgumentParser
import ExportEngine
import Foundation
import SimCore

extension CohortSim {
    /// `cohortsim sync …`: the export engine against real (or served fake) services.
    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the export engine against Mixpanel and Mailchimp (or the fakes from `cohortsim serve`).",
            discussion: "Example:\n  cohortsim sync status        # the README walks through connect, export, status and history against `serve`",
            subcommands: [Connect.self, Export.self, Status.self, History.self, Stop.self, Resume.self, Disconnect.self, Daemon.self])
    }
}

extension CohortSim.Sync {
    struct Connect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Connect a Mailchimp account by API key (validated with /ping).",
            discussion: "Example:\n  MAILCHIMP_API_KEY=0123456789abcdef0123456789abcdef-us6 cohortsim sync connect")
        @OptionGroup var options: SyncOptions
        @Option(help: "The Mailchimp API key, <key>-<dc> (env MAILCHIMP_API_KEY; prefer the environment).")
        var apiKey: String?

        mutating func run() async throws {
            guard let key = apiKey ?? ProcessInfo.processInfo.environment["MAILCHIMP_API_KEY"] else {
                throw invalidInput("an API key is required (--api-key or MAILCHIMP_API_KEY)")
            }
            let status = await (try options.engine()).connect(apiKey: key)
            print(status)
            if case .notConnected = status { throw ExitCode(1) }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Export a cohort to an audience, once or as a dynamic sync (every 2 h, run by `daemon`).",
            discussion: "Example:\n  cohortsim sync export --cohort 501 --audience 659bd53fee --mode dynamic\n  cohortsim sync export --cohort 501 --audience 659bd53fee --dry-run")
        @OptionGroup var options: SyncOptions
        @Option(help: "Cohort id.") var cohort: Int64
        @Option(help: "Cohort name for the tag (default: the cohort's name in Mixpanel).") var cohortName: String?
        @Option(help: "Mailchimp audience (list) id.") var audience: String
        @Option(help: "one-time or dynamic.") var mode = "one-time"
        @Flag(help: "Show what the export would change, without changing anything.") var dryRun = false

        mutating func run() async throws {
            guard let exportMode = ExportMode(rawValue: mode) else { throw invalidInput("--mode must be one-time or dynamic") }
            let engine = try options.engine()
            if dryRun {
                let report = try await engine.previewExport(cohortID: cohort, audienceID: audience)
                print("dry run: would add \(report.added), remove \(report.removed), leave \(report.unchanged) unchanged, skip \(report.skipped.values.reduce(0, +))")
                for change in report.changes { print("  \(change.action.rawValue) \(change.distinctID) \(change.email) \(change.reason)") }
                return
            }
            // The tag takes the cohort's real name, from Mixpanel, unless --cohort-name gives one.
            let name: String
            if let cohortName {
                name = cohortName
            } else if let listed = try await engine.cohortName(cohortID: cohort) {
                name = listed
            } else {
                throw invalidInput("cohort \(cohort) is not one of the project's saved cohorts (POST /api/query/cohorts/list)")
            }
            let report = try await engine.startExport(cohortID: cohort, cohortName: name, audienceID: audience, mode: exportMode)
            print(HistoryFormat.line(report))
            if report.outcome != .succeeded { throw ExitCode(1) }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the connection and every sync's state.",
            discussion: "Example:\n  COHORTSIM_STATE=cohortsim-state.sqlite cohortsim sync status")
        @OptionGroup var options: SyncOptions

        mutating func run() async throws {
            let engine = try options.engine(needsMixpanel: false)
            print(try await engine.connectionStatus())
            for sync in try await engine.syncs() {
                print("sync \(sync.id): cohort \(sync.cohortID) -> audience \(sync.audienceID), \(sync.mode.rawValue), tag \"\(sync.tagName)\", \(sync.state)"
                      + (sync.nextRun.map { ", next run \($0)" } ?? ""))
            }
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show recorded runs, newest last, then every sync state change with its reason.",
            discussion: "Example:\n  cohortsim sync history --members")
        @OptionGroup var options: SyncOptions
        @Flag(help: "Also list every member change (add / remove / no-op / skip / reject).") var members = false

        mutating func run() async throws {
            let engine = try options.engine(needsMixpanel: false)
            // Never print a secret, even if a run's error or a reason quoted one.
            for report in try await engine.runs(includingChanges: members) {
                print(try await engine.redacting(HistoryFormat.line(report)))
                if members {
                    for change in report.changes { print(try await engine.redacting("  \(change.action.rawValue) \(change.distinctID) \(change.email) \(change.reason)")) }
                }
            }
            for change in try await engine.stateChanges() {
                print(try await engine.redacting("\(change.at) sync \(change.syncID) \(change.state.rawValue)" + (change.reason.isEmpty ? "" : ": \(change.reason)")))
            }
        }
    }

    struct Stop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a dynamic sync (Mailchimp is left as it is).",
            discussion: "Example:\n  cohortsim sync stop --sync 1\n\nExample:\n  cohortsim sync resume --sync 1")
        @OptionGroup var options: SyncOptions
        @Option(help: "Sync id (see `status`).") var sync: Int64

        mutating func run() async throws {
            try await options.engine().stop(syncID: sync)
            print("sync \(sync) stopped")
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resume a paused sync once its cause is fixed: it runs now, as a full reconcile (exit 1 if it pauses again).",
            discussion: "Example:\n  cohortsim sync disconnect")
        @OptionGroup var options: SyncOptions
        @Option(help: "Sync id (see `status`).") var sync: Int64

        mutating func run() async throws {
            let report = try await options.engine().resume(syncID: sync)
            print(HistoryFormat.line(report))
            if report.outcome == .paused {
                print("sync \(sync) is paused again: \(report.error)")
                throw ExitCode(1)
            }
            if report.outcome != .succeeded { throw ExitCode(1) }
        }
    }

    struct Disconnect: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Forget the Mailchimp key and stop every sync.",
            discussion: "Example:\n  cohortsim sync daemon")
        @OptionGroup var options: SyncOptions

        mutating func run() async throws {
            try await options.engine().disconnect()
            print("disconnected; every sync stopped")
        }
    }

    struct Daemon: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run due dynamic syncs until SIGINT/SIGTERM (recovering interrupted runs first).",
                                                        discussion: "Example:\n  cohortsim sync daemon --state /var/lib/cohortsim/state.sqlite")
        @OptionGroup var options: SyncOptions

        mutating func run() async throws {
            let engine = try options.engine()
            for report in try await engine.recoverInterruptedRuns() { print(HistoryFormat.line(report)) }
            try await engine.runDue()
            print("daemon running; Ctrl-C to stop")
            let signal = await waitForTerminationSignal()
            await engine.quiesce()
            print("stopped (\(signal))")
            if let failure = await engine.scheduleFailure {
                print("the schedule failed and stopped: \(failure)")
                throw ExitCode(1)
            }
        }
    }
}

/// One line per run for `export` and `history`.
enum HistoryFormat {
    static func line(_ r: RunReport) -> String {
        var text = "run \(r.number): sync \(r.syncID), \(r.trigger), \(r.started) -> \(r.finished), \(r.outcome.rawValue)"
        if !r.scheduleNote.isEmpty { text += " (\(r.scheduleNote))" }
        text += "; cohort \(r.cohortSize), exported \(r.exported), added \(r.added), removed \(r.removed), unchanged \(r.unchanged)"
        if !r.skipped.isEmpty { text += ", skipped " + r.skipped.keys.sorted().map { "\($0)=\(r.skipped[$0]!)" }.joined(separator: " ") }
        if !r.rejected.isEmpty { text += ", rejected " + r.rejected.keys.sorted().map { "\($0)=\(r.rejected[$0]!)" }.joined(separator: " ") }
        text += "; requests mailchimp \(r.mailchimpRequests), mixpanel \(r.mixpanelRequests)"
        if !r.error.isEmpty { text += "; error: \(r.error)" }
        return text
    }
}
