// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "CohortSim",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cohortsim", targets: ["cohortsim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", exact: "1.35.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-collections", exact: "1.6.0"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", exact: "0.10.0"),
        .package(url: "https://github.com/JohnSundell/Plot", exact: "0.14.0"),  // the HTML report's templates
        // The HTTPS forward proxy (SimProxy): NIO's server and HTTP codec, TLS, a per-run CA. The same
        // versions async-http-client already resolves; resolved from the local package copies.
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", exact: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", exact: "1.7.4"),
    ],
    targets: [
        // Values every layer shares: time, seeded randomness, JSON, errors with context.
        .target(name: "SimCore"),
        // The system zlib (gzip request bodies), linked like GRDB links the system SQLite.
        .systemLibrary(name: "CZlib"),
        // Request/response values, the transport seam and the in-process transport.
        .target(name: "SimHTTP", dependencies: ["SimCore", "CZlib"]),
        // A loopback HTTP server (Hummingbird) that serves any SimHTTP handler.
        .target(name: "SimHTTPServer", dependencies: [
            "SimHTTP",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // A real HTTP transport (AsyncHTTPClient) for the engine.
        .target(name: "SimHTTPClient", dependencies: [
            "SimHTTP",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        // An HTTPS forward proxy on loopback (CONNECT, TLS terminated with a per-run CA) that hands the
        // real Mailchimp and Mixpanel hosts' requests to SimHTTP handlers and refuses other hosts.
        .target(name: "SimProxy", dependencies: [
            "SimHTTP",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // One SQLite process setting Swift cannot reach (a C variadic call); see its header.
        .target(name: "CSQLiteTuning", linkerSettings: [.linkedLibrary("sqlite3")]),
        // SQLite over GRDB.
        .target(name: "SimStorage", dependencies: [
            "CSQLiteTuning",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // The production export engine: Mixpanel cohort -> Mailchimp audience.
        .target(name: "ExportEngine", dependencies: [
            "SimCore", "SimHTTP", "SimStorage",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),  // Insecure.MD5 for subscriber hashes
        ]),
        // The fake Mailchimp Marketing API v3.
        .target(name: "FakeMailchimp", dependencies: [
            "SimCore", "SimHTTP", "SimStorage",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The fake Mixpanel ingestion and query APIs.
        .target(name: "FakeMixpanel", dependencies: [
            "SimCore", "SimHTTP", "SimStorage",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        // Scenario files, the simulator, goldens.
        .target(name: "Harness", dependencies: [
            "SimCore", "SimHTTP", "SimHTTPServer", "SimHTTPClient", "SimProxy", "ExportEngine", "FakeMailchimp", "FakeMixpanel",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Collections", package: "swift-collections"),
            .product(name: "SwiftCSV", package: "SwiftCSV"),
        ]),
        // The static HTML report of a suite or fuzz run, from the harness's values (Plot for the markup).
        .target(name: "Report", dependencies: [
            "Harness", "SimCore",
            .product(name: "Plot", package: "Plot"),
        ]),
        .executableTarget(name: "cohortsim", dependencies: [
            "Harness", "Report", "ExportEngine", "SimCore", "SimHTTP", "SimHTTPClient", "SimProxy",
            .product(name: "Yams", package: "Yams"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Tests: one target per area, so each can be worked on and filtered alone.
        .testTarget(name: "CohortSimTests", dependencies: [
            "SimCore", "SimHTTP", "SimHTTPServer", "SimHTTPClient", "SimProxy", "SimStorage", "ExportEngine", "FakeMailchimp", "FakeMixpanel", "Harness",
            .product(name: "GRDB", package: "GRDB.swift"),  // SQLiteTemplateTests reads the schema back
        ]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Harness", "SimCore"]),
        .testTarget(name: "FakeMailchimpTests", dependencies: ["SimCore", "SimHTTP", "SimHTTPServer", "SimHTTPClient", "FakeMailchimp"]),
        .testTarget(name: "FakeMixpanelTests", dependencies: ["SimCore", "SimHTTP", "SimHTTPServer", "SimHTTPClient", "FakeMixpanel"],
                    exclude: ["OpenAPI"]),  // Mixpanel's OpenAPI files, read by OpenAPIShapeTests
        .testTarget(name: "ExportEngineTests", dependencies: [
            "SimCore", "SimHTTP", "ExportEngine",
            // Store-failure tests inject SQLite errors into the engine's database.
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
