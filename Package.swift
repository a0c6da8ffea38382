// swift-tools-version: 6.0
// SafetyKit: the off-switch game and agent-uncertainty simulator beside a self-improving reasoner.
// The dependency arrows point down only: CLI -> Analysis -> Games, Reasoner -> Numerics -> C system libraries.
import PackageDescription
import Foundation

/// The Reasoner module is compiled with optimisation in debug builds too: its SIMD kernels run
/// 5-10x slower unoptimised, which tripled the test suite's time (the tests train small models).
let optimisedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

/// The reasoner's kernels are plain Swift SIMD, which the compiler otherwise emits for the x86-64
/// baseline (128-bit SSE2). Where the building machine has AVX2 and FMA (x86-64 since 2013), the
/// Reasoner module is compiled for Haswell: its SIMD8 lanes then take one 256-bit instruction
/// instead of two, about 1.45x faster attention in sampling. Results do not change: Swift never
/// fuses a multiply and an add nor reorders a sum unless the code says so, so every operation
/// still rounds as written (KernelTests hold the SIMD paths to scalar loops bit for bit; whole
/// runs were compared byte for byte). Other machines and architectures build for the baseline.
let reasonerSettings: [SwiftSetting] = {
    #if arch(x86_64) && os(Linux)
    guard let cpu = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flags = cpu.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return optimisedInDebug }
    let have = Set(flags.split(separator: " ").map(String.init))
    let haswell: Set = ["avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "movbe", "abm", "popcnt", "sse4_2"]
    return optimisedInDebug + (haswell.isSubset(of: have) ? [.unsafeFlags(["-target-cpu", "haswell"])] : [])
    #else
    return optimisedInDebug
    #endif
}()

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
        .target(name: "Reasoner", dependencies: ["Numerics"], exclude: ["README.md"], swiftSettings: reasonerSettings),
        .target(name: "Analysis", dependencies: ["Games", "Reasoner", "Numerics"], exclude: ["README.md"]),
        .executableTarget(name: "CLI", dependencies: ["Analysis", "Games", "Reasoner", "Numerics"], exclude: ["README.md"]),

        .testTarget(name: "NumericsTests", dependencies: ["Numerics"]),
        // Fixtures are read through #filePath, not bundled.
        .testTarget(name: "GamesTests", dependencies: ["Games", "Numerics"], exclude: ["Fixtures"]),
        // Fixtures (the PyTorch reference and its checkpoints) are read through #filePath, not bundled.
        .testTarget(name: "ReasonerTests", dependencies: ["Reasoner", "Numerics"], exclude: ["Fixtures"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "Games", "Reasoner"]),
        .testTarget(name: "CLITests", dependencies: ["CLI"]),
    ],
    swiftLanguageModes: [.v6]
)
