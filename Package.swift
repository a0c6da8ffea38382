// swift-tools-version: 6.0
// SafetyKit: the off-switch game and agent-uncertainty simulator beside a self-improving reasoner.
// The dependency arrows point down only: CLI -> Analysis -> Games, Reasoner -> Numerics -> C system libraries.
import PackageDescription

let package = Package(
    name: "SafetyKit",
    products: [
        .executable(name: "safetykit", targets: ["CLI"]),
        .library(name: "SafetyKit", targets: ["Numerics", "Games", "Reasoner", "Analysis"]),
    ],
    targets: [
        // System libraries from Debian: libgsl-dev, libopenblas-dev, liblapacke-dev.
        .systemLibrary(name: "CGSL", path: "Sources/CGSL"),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas"),

        // Each module folder carries a README.md for readers; it is not a resource.
        .target(name: "Numerics", dependencies: ["CGSL", "COpenBLAS"], exclude: ["README.md"]),
        .target(name: "Games", dependencies: ["Numerics"], exclude: ["README.md"]),
        .target(name: "Reasoner", dependencies: ["Numerics"], exclude: ["README.md"]),
        .target(name: "Analysis", dependencies: ["Games", "Reasoner", "Numerics"], exclude: ["README.md"]),
        .executableTarget(name: "CLI", dependencies: ["Analysis", "Games", "Reasoner", "Numerics"], exclude: ["README.md"]),

        .testTarget(name: "NumericsTests", dependencies: ["Numerics"]),
        // Fixtures are read through #filePath, not bundled.
        .testTarget(name: "GamesTests", dependencies: ["Games", "Numerics"], exclude: ["Fixtures"]),
        .testTarget(name: "ReasonerTests", dependencies: ["Reasoner", "Numerics"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "Games", "Reasoner"]),
        .testTarget(name: "CLITests", dependencies: ["CLI"]),
    ],
    swiftLanguageModes: [.v6]
)
