// swift-tools-version: 6.0
// SafetyKit: the off-switch game and agent-uncertainty simulator beside a self-improving reasoner.
// The dependency arrows point down only: CLI -> Analysis -> Games, Reasoner -> Numerics -> C system libraries.
//
// Module names carry the project's prefix (SafetyKitNumerics, ...) so that another package can
// depend on SafetyKit beside others (apple/swift-numerics declares a `Numerics`); `import SafetyKit`
// re-exports them all. The manifest has no unsafe flags, so SafetyKit can be a dependency:
// optimisation and CPU tuning are chosen by the commands that build (scripts/test builds the
// tests optimised; scripts/run and benchmarks/run tune for the building CPU), never here, where
// the machine a binary will run on is unknown.
import PackageDescription

let package = Package(
    name: "SafetyKit",
    products: [
        .executable(name: "safetykit", targets: ["CLI"]),
        .library(name: "SafetyKit", targets: ["SafetyKit"]),
    ],
    targets: [
        // System libraries from Debian: libgsl-dev, libopenblas-dev, liblapacke-dev.
        .systemLibrary(name: "CSafetyKitGSL", path: "Sources/CGSL"),
        .systemLibrary(name: "CSafetyKitOpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas"),

        // Each module folder carries a README.md for readers; it is not a resource.
        .target(name: "SafetyKitNumerics", dependencies: ["CSafetyKitGSL", "CSafetyKitOpenBLAS"], path: "Sources/Numerics", exclude: ["README.md"]),
        .target(name: "SafetyKitGames", dependencies: ["SafetyKitNumerics"], path: "Sources/Games", exclude: ["README.md"]),
        .target(name: "SafetyKitReasoner", dependencies: ["SafetyKitNumerics"], path: "Sources/Reasoner", exclude: ["README.md"]),
        .target(name: "SafetyKitAnalysis", dependencies: ["SafetyKitGames", "SafetyKitReasoner", "SafetyKitNumerics"], path: "Sources/Analysis",
                exclude: ["README.md"]),
        .target(name: "SafetyKit", dependencies: ["SafetyKitNumerics", "SafetyKitGames", "SafetyKitReasoner", "SafetyKitAnalysis"]),
        .executableTarget(name: "CLI", dependencies: ["SafetyKitAnalysis", "SafetyKitGames", "SafetyKitReasoner", "SafetyKitNumerics"],
                          exclude: ["README.md"]),

        .testTarget(name: "NumericsTests", dependencies: ["SafetyKitNumerics"]),
        // Fixtures are read through #filePath, not bundled.
        .testTarget(name: "GamesTests", dependencies: ["SafetyKitGames", "SafetyKitNumerics"], exclude: ["Fixtures"]),
        // Fixtures (the PyTorch reference and its checkpoints) are read through #filePath, not bundled.
        .testTarget(name: "ReasonerTests", dependencies: ["SafetyKitReasoner", "SafetyKitNumerics"], exclude: ["Fixtures"]),
        // Fixtures (evaluation logs in lm-eval, inspect_ai and completion formats) are read through #filePath.
        .testTarget(name: "AnalysisTests", dependencies: ["SafetyKitAnalysis", "SafetyKitGames", "SafetyKitReasoner"], exclude: ["Fixtures"]),
        .testTarget(name: "CLITests", dependencies: ["CLI", "SafetyKitReasoner", "SafetyKitNumerics"]),
    ],
    swiftLanguageModes: [.v6]
)
