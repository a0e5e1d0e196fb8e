// swift-tools-version:6.1
import PackageDescription

// One module per responsibility. Each C library is imported by exactly one Swift module:
//   libpq          -> CLibPQ      -> PostgresClient
//   libmicrohttpd  -> CMicroHTTPD -> HTTPServer
//   zlib           -> CZlib       -> Gzip
//   libcrypt       -> CCrypt      -> PasswordHash
//   glibc malloc.h -> CMalloc     -> ExporterCore (malloc_trim, in MemoryTrim)
//   glibc link.h   -> CLink       -> ExporterCore (dl_iterate_phdr, in MemoryTrim)
//   libyaml        -> CLibYAML    -> YAML
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "chat-exporter",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "chat-exporter", targets: ["chat-exporter"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // C edges.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .target(
            name: "CMicroHTTPD",
            linkerSettings: [.linkedLibrary("microhttpd"), .linkedLibrary("gnutls")]
        ),
        .systemLibrary(
            name: "CCrypt",
            providers: [.apt(["libcrypt-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(name: "CMalloc"),
        .target(name: "CLink"),
        .systemLibrary(
            name: "CLibYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),

        // Swift wrappers of the C edges.
        .target(name: "PostgresClient", dependencies: ["CLibPQ", "TextFile"], swiftSettings: strict),
        .target(name: "HTTPServer", dependencies: ["CMicroHTTPD"], swiftSettings: strict),
        .target(name: "Gzip", dependencies: ["CZlib"], swiftSettings: strict),
        .target(name: "PasswordHash", dependencies: ["CCrypt"], swiftSettings: strict),
        .target(name: "YAML", dependencies: ["CLibYAML"], swiftSettings: strict),

        // Pure Swift.
        .target(name: "TextFile", swiftSettings: strict),
        .target(name: "Exposition", swiftSettings: strict),
        .target(
            name: "CollectorConfig",
            dependencies: ["Exposition", "TextFile", "YAML"],
            swiftSettings: strict,
            plugins: ["EmbedBuildFacts"]
        ),
        .executableTarget(name: "embed-file", swiftSettings: strict),
        .plugin(name: "EmbedBuildFacts", capability: .buildTool(), dependencies: ["embed-file"]),
        .target(
            name: "ExporterCore",
            dependencies: [
                "PostgresClient", "Exposition", "Gzip", "CollectorConfig", "HTTPServer", "TextFile",
                .target(name: "CMalloc", condition: .when(platforms: [.linux])),
                .target(name: "CLink", condition: .when(platforms: [.linux])),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict,
            plugins: ["EmbedBuildFacts"]
        ),
        .target(
            name: "WebConfig",
            dependencies: ["PasswordHash", "TextFile", "YAML"],
            swiftSettings: strict
        ),
        .target(name: "ChatCheck", dependencies: ["ExporterCore", "Exposition", "PostgresClient"], swiftSettings: strict),
        .target(name: "Backfill", dependencies: ["PostgresClient"], swiftSettings: strict),
        .executableTarget(
            name: "chat-exporter",
            dependencies: [
                "Backfill", "ChatCheck", "ExporterCore", "WebConfig", "CollectorConfig", "PostgresClient", "HTTPServer", "TextFile",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),

        // Shared test support: a real PostgreSQL cluster, the built binary, HTTP and process helpers.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),

        .testTarget(name: "ExpositionTests", dependencies: ["Exposition", "Gzip", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "YAMLTests", dependencies: ["YAML"], swiftSettings: strict),
        .testTarget(name: "PostgresClientTests", dependencies: ["PostgresClient", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "CollectorConfigTests", dependencies: ["CollectorConfig", "TestSupport"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(
            name: "ExporterCoreTests",
            dependencies: ["ExporterCore", "ChatCheck", "CollectorConfig", "Exposition", "PostgresClient", "WebConfig", "PasswordHash"],
            swiftSettings: strict
        ),
        .testTarget(name: "EndToEndTests", dependencies: ["TestSupport"], swiftSettings: strict),
        .testTarget(name: "MonitoringTests", dependencies: ["TestSupport"], swiftSettings: strict),
        .testTarget(name: "BackfillTests", dependencies: ["Backfill", "PostgresClient", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "DeployTests", dependencies: ["TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "ChatMetricsTests",
            dependencies: ["ExporterCore", "CollectorConfig", "PostgresClient", "Exposition", "TestSupport"],
            swiftSettings: strict
        ),
    ]
)
