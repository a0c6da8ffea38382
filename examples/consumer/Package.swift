// swift-tools-version: 6.0
// A package that depends on SafetyKit as another project would, beside apple/swift-numerics (whose
// `Numerics` module once collided with ours). scripts/test builds and runs it after the tests: it
// must build, and its checks of the off-switch solver and the calibration analysis must pass.
import PackageDescription

let package = Package(
    name: "Consumer",
    dependencies: [
        .package(name: "SafetyKit", path: "../.."),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    ],
    targets: [
        .executableTarget(name: "Consumer", dependencies: [
            .product(name: "SafetyKit", package: "SafetyKit"),
            .product(name: "Numerics", package: "swift-numerics"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
