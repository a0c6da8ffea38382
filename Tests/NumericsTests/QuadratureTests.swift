import Foundation
import Testing
@testable import SafetyKitNumerics

@Suite("Quadrature")
struct QuadratureTests {
    @Test func adaptiveIntegratesKnownIntegrals() throws {
        let integrator = AdaptiveIntegrator()
        let cubic = try integrator.integrate(from: 0, to: 1) { $0 * $0 * $0 }
        #expect(abs(cubic.value - 0.25) < 1e-15)
        let gauss = try integrator.integrate(from: -.infinity, to: .infinity) { exp(-$0 * $0) }
        #expect(abs(gauss.value - Double.pi.squareRoot()) < 1e-12)
        let upper = try integrator.integrate(from: 0, to: .infinity) { exp(-$0) }
        #expect(abs(upper.value - 1) < 1e-12)
        let lower = try integrator.integrate(from: -.infinity, to: 0) { exp($0) }
        #expect(abs(lower.value - 1) < 1e-12)
        let reversed = try integrator.integrate(from: 1, to: 0) { $0 }
        #expect(abs(reversed.value + 0.5) < 1e-15)
        // An integrable end-point singularity, which QAGS extrapolates.
        let singular = try integrator.integrate(from: 0, to: 1) { 1 / $0.squareRoot() }
        #expect(abs(singular.value - 2) < 1e-10)
        let split = try integrator.integrate(from: -1, to: 2, splittingAt: [0, 5]) { abs($0) }
        #expect(abs(split.value - 2.5) < 1e-14)
    }

    @Test func gslFailuresBecomeSwiftErrorsNotAborts() {
        let integrator = AdaptiveIntegrator(limit: 5)
        #expect(throws: NumericsError.self) {
            try integrator.integrate(from: 0, to: 1, absoluteTolerance: 0, relativeTolerance: 1e-15) { sin(1 / max($0, 1e-300)) / $0 }
        }
        #expect(throws: NumericsError.self) { try integrator.integrate(from: .nan, to: 1) { $0 } }
    }

    @Test func hermiteRuleIsExactForNormalMoments() {
        let rule = QuadratureRule.standardNormal(order: 16)
        func moment(_ k: Int) -> Double { zip(rule.nodes, rule.weights).reduce(0) { $0 + $1.1 * pow($1.0, Double(k)) } }
        #expect(abs(moment(0) - 1) < 1e-14)
        #expect(abs(moment(1)) < 1e-14)
        #expect(abs(moment(2) - 1) < 1e-13)
        #expect(abs(moment(4) - 3) < 1e-12)
        #expect(abs(moment(10) - 945) < 1e-8)   // (10 − 1)!!
    }

    @Test func laguerreAndLegendreRulesIntegratePolynomialsExactly() {
        let laguerre = QuadratureRule.laguerre(order: 12)
        for k in 0...6 {
            let sum = zip(laguerre.nodes, laguerre.weights).reduce(0) { $0 + $1.1 * pow($1.0, Double(k)) }
            let factorial = (1...max(1, k)).reduce(1.0) { $0 * Double($1) }
            #expect(abs(sum / factorial - 1) < 1e-12)
        }
        let legendre = QuadratureRule.legendre(order: 5)
        #expect(abs(zip(legendre.nodes, legendre.weights).reduce(0) { $0 + $1.1 * pow($1.0, 8) } - 2.0 / 9) < 1e-14)
    }

    @Test func normalDistribution() {
        #expect(Normal.cdf(0) == 0.5)
        #expect(abs(Normal.cdf(1.959963984540054) - 0.975) < 1e-15)
        #expect(abs(Normal.quantile(0.975) - 1.959963984540054) < 1e-12)
        #expect(abs(Normal.pdf(1) - 0.24197072451914337) < 1e-16)
        // Tails keep full relative accuracy: 1 − Φ(30) ≈ 4.906713927148187e-198.
        #expect(abs(Normal.survival(30) / 4.906713927148187e-198 - 1) < 1e-12)
        #expect(abs(Normal.cdf(-30) / 4.906713927148187e-198 - 1) < 1e-12)
    }

    @Test func decimalTextIsShortestAndReadsBack() {
        #expect(DecimalText.shortest(0.5) == "0.5")
        #expect(DecimalText.shortest(2) == "2")
        #expect(DecimalText.shortest(-0.0) == "0")
        #expect(DecimalText.shortest(1e-300) == "1e-300")
        var x = 0.1
        for _ in 0..<1000 {
            x = x * 1.37 + 0.011
            #expect(Double(DecimalText.shortest(x)) == x)
        }
    }
}
