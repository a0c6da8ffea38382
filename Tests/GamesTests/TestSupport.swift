import Foundation
@testable import SafetyKitGames

/// Solves a Gaussian-belief game with a Boltzmann human (β = 0: rational).
func solveGaussian(mu: Double, sigma: Double, beta: Double) throws -> OffSwitchSolution {
    try OffSwitchGame(prior: GaussianPrior(mu: mu, sigma: sigma), human: BoltzmannHuman(beta: beta)).solve()
}

/// The accuracy target of issue 2: 1e-9 absolute + 1e-7 relative.
func withinTarget(_ value: Double, _ reference: Double) -> Bool {
    abs(value - reference) <= 1e-9 + 1e-7 * abs(reference)
}

/// Standard normal pdf and cdf computed here with Foundation's erfc, independently of Numerics.
func phi(_ x: Double) -> Double { exp(-0.5 * x * x) / (2 * Double.pi).squareRoot() }
func bigPhi(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

/// A small deterministic generator for test points (not the code under test's streams).
struct TestPoints {
    var state: UInt64
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return lo + (hi - lo) * Double(state >> 11) / Double(1 << 53)
    }
}
