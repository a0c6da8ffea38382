// Uses SafetyKit's public API only: the off-switch game's exact solution and a calibration
// report, checked against offswitch.md's sample values and calibration.md's dataset A. Exits 1
// on a mismatch. apple/swift-numerics is imported beside it to prove the module names coexist.
import Foundation
import Numerics
import SafetyKit

var failures = 0
@MainActor func check(_ name: String, _ value: Double, _ expected: Double, tolerance: Double) {
    let ok = abs(value - expected) <= tolerance
    print("\(ok ? "ok  " : "FAIL") \(name) = \(value) (expected \(expected))")
    if !ok { failures += 1 }
}

// offswitch.md: μ = 0.5, σ = 1, β = 0.1 gives E[πU] = 0.6921501524 and Δ = 0.1921501524; waiting is best.
let solution = try OffSwitchGame(prior: GaussianPrior(mu: 0.5, sigma: 1), human: BoltzmannHuman(beta: 0.1)).solve()
check("delta", solution.delta, 0.1921501524, tolerance: 1e-9)
check("E[pi U]", solution.euWait, 0.6921501524, tolerance: 1e-9)
if solution.best != .wait { print("FAIL best action \(solution.best)"); failures += 1 }

// calibration.md's dataset A: ECE 0.16866857129568 over 15 equal-width bins.
var confidences: [Double] = [], correct: [Bool] = []
for i in 0..<1000 {
    let x = (Double((i * 7919) % 1000) + 0.5) / 1000
    confidences.append(x.squareRoot())
    correct.append((Double((i * 104729) % 997) + 0.5) / 997 < x)
}
let report = CalibrationAnalysis(try Predictions(confidences: confidences, correct: correct)).report()
check("ECE", report.ece, 0.16866857129568, tolerance: 1e-12)

// swift-numerics in the same target.
let z = Complex<Double>(3, 4)
check("|3 + 4i| (swift-numerics)", z.length, 5, tolerance: 1e-15)

exit(failures == 0 ? 0 : 1)
