// swift-tools-version: 6.0
// The Swift side of benchmarks/model.py: times SafetyKit's transformer at a fixed shape.
// Built by benchmarks/run (release); not part of the product or the tests.
import PackageDescription

let package = Package(
    name: "ModelBench",
    dependencies: [.package(name: "SafetyKit", path: "../..")],
    targets: [
        .executableTarget(name: "ModelBench", dependencies: [.product(name: "SafetyKit", package: "SafetyKit")]),
    ],
    swiftLanguageModes: [.v6]
)
