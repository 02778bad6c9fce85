// swift-tools-version: 6.2
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .treatAllWarnings(as: .error),
]
/// Tests build in the same language mode; the Testing macros' own expansions are not ours to make warning-free.
let testSettings: [SwiftSetting] = [.swiftLanguageMode(.v6), .enableUpcomingFeature("ExistentialAny")]
let cStrict: [CSetting] = [.unsafeFlags(["-Wall", "-Werror"])]

let package = Package(
    name: "service-backup",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "service-backup", targets: ["service-backup"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        // Thin C wrappers: typed functions over variadic or macro APIs, nothing more.
        .target(name: "CCurl", cSettings: cStrict, linkerSettings: [.linkedLibrary("curl")]),
        .target(name: "CSSH2", cSettings: cStrict, linkerSettings: [.linkedLibrary("ssh2"), .linkedLibrary("crypto")]),
        .target(name: "CCrypto", cSettings: cStrict, linkerSettings: [.linkedLibrary("crypto")]),
        .target(name: "CLinux", cSettings: cStrict),

        .target(name: "Cron", swiftSettings: strict),
        .target(name: "Manifest", dependencies: ["Yams"], swiftSettings: strict),
        .target(name: "LagerLog", dependencies: [.product(name: "Logging", package: "swift-log")], swiftSettings: strict),
        .target(name: "Signing", dependencies: ["CCrypto"], swiftSettings: strict),
        .target(
            name: "Transport",
            dependencies: ["CCurl", "CSSH2", "CLinux", "Signing", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "Storage",
            dependencies: ["Transport", "Signing", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "Stores",
            dependencies: [
                "Manifest", "Storage", "Transport", "Signing",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Backups",
            dependencies: ["Storage", "Transport", "Signing", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // Shipped beside the library: an in-memory store that fails, stalls and counts; the conformance suite.
        .target(
            name: "StorageTestKit",
            dependencies: ["Storage", "Transport", "Signing", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        .target(
            name: "ServiceBackup",
            dependencies: [
                "Cron", "Manifest", "LagerLog", "Storage", "Stores", "Backups", "Transport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "service-backup",
            dependencies: ["ServiceBackup", "Transport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),
        // Runs the conformance suite against a manifest's destinations: how the tests judge each real store.
        .executableTarget(
            name: "store-conformance",
            dependencies: ["Manifest", "Stores", "StorageTestKit"],
            swiftSettings: strict
        ),

        .testTarget(name: "CronTests", dependencies: ["Cron"], swiftSettings: testSettings),
        .testTarget(name: "ManifestTests", dependencies: ["Manifest"], swiftSettings: testSettings),
        .testTarget(name: "LagerLogTests", dependencies: ["LagerLog"], swiftSettings: testSettings),
        .testTarget(name: "SigningTests", dependencies: ["Signing"], resources: [.copy("Fixtures")], swiftSettings: testSettings),
        .testTarget(name: "TransportTests", dependencies: ["Transport"], swiftSettings: testSettings),
        .testTarget(name: "StoresTests", dependencies: ["Stores", "StorageTestKit"], swiftSettings: testSettings),
        .testTarget(name: "BackupsTests", dependencies: ["Backups", "StorageTestKit"], swiftSettings: testSettings),
        .testTarget(name: "ServiceBackupTests", dependencies: ["ServiceBackup", "StorageTestKit"], swiftSettings: testSettings),
    ]
)
