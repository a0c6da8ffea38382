import Foundation
import Testing
@testable import SafetyKitGames
import SafetyKitNumerics

@Suite("Priors: exact moments, mixtures, samples")
struct PriorTests {
    @Test func uniformPartialMomentsAreExact() throws {
        let m = try UniformPrior(lo: -1, hi: 3).partialMoments
        #expect(m.positivePart == 9.0 / 8)
        #expect(m.negativePart == 1.0 / 8)
        #expect(m.probabilityNonNegative == 0.75 && m.probabilityNegative == 0.25)
    }

    @Test func discreteSumsAreExactForEveryHuman() throws {
        let prior = try DiscretePrior(points: [(2, 1), (-1, 1), (0.5, 2)])   // weights normalise to 1/4, 1/4, 1/2
        let human = try BoltzmannHuman(beta: 0.5)
        let s = try OffSwitchGame(prior: prior, human: human).solve()
        let expected = 0.25 * 2 * human.allowProbability(2) + 0.25 * -1 * human.allowProbability(-1) + 0.5 * 0.5 * human.allowProbability(0.5)
        #expect(abs(s.euWait - expected) < 1e-16)
        #expect(s.method == .exactSum)
        #expect(prior.specification == "2:0.25;-1:0.25;0.5:0.5")
    }

    @Test func mixturesAreWeightedSumsOfTheirComponents() throws {
        let a = try GaussianPrior(mu: 1, sigma: 0.5), b = try UniformPrior(lo: -2, hi: 1)
        let mixture = try MixturePrior(components: [(3, a), (1, b)])
        let human = try BoltzmannHuman(beta: 0.4)
        let ea = try a.expectations(under: human), eb = try b.expectations(under: human)
        let em = try mixture.expectations(under: human)
        #expect(abs(em.allowedPayoff - (0.75 * ea.allowedPayoff + 0.25 * eb.allowedPayoff)) < 1e-15)
        #expect(abs(em.allowProbability - (0.75 * ea.allowProbability + 0.25 * eb.allowProbability)) < 1e-15)
        #expect(abs(mixture.mean - (0.75 * 1 + 0.25 * -0.5)) < 1e-15)
    }

    @Test func specificationsReadBack() throws {
        let mixture = try PriorSpecification.mixture("0.7*gaussian(0,1)+0.2*uniform(-1,2e+0)+0.1*point(3)")
        #expect(mixture.components.count == 3)
        // Weights are normalised, so reading the text back agrees to rounding, not to the letter.
        let again = try PriorSpecification.mixture(mixture.specification!)
        for (a, b) in zip(again.components, mixture.components) {
            #expect(abs(a.weight - b.weight) < 1e-15 && a.prior.kind == b.prior.kind && a.prior.mean == b.prior.mean)
        }
        let points = try PriorSpecification.points("1:0.5,-1:0.5")
        #expect(points.values == [1, -1] && points.probabilities == [0.5, 0.5])
    }

    @Test func samplesFollowTheirPrior() throws {
        var stream = RandomStream(seed: 3)
        let priors: [any Prior] = [try GaussianPrior(mu: 1, sigma: 2), try UniformPrior(lo: -1, hi: 4),
                                   try DiscretePrior(points: [(1, 1), (-2, 3)]), try PriorSpecification.mixture("0.5*gaussian(-1,1)+0.5*point(2)")]
        for prior in priors {
            let n = 200_000
            var sum = 0.0
            for _ in 0..<n { sum += prior.sample(using: &stream) }
            #expect(abs(sum / Double(n) - prior.mean) < 0.03, "\(prior.kind)")
        }
    }

    @Test func invalidParametersAreRejectedWithTheirNames() throws {
        #expect(throws: GameError.self) { try GaussianPrior(mu: 0, sigma: 0) }
        #expect(throws: GameError.self) { try GaussianPrior(mu: .nan, sigma: 1) }
        #expect(throws: GameError.self) { try GaussianPrior(mu: 0, sigma: .infinity) }
        #expect(throws: GameError.self) { try UniformPrior(lo: 1, hi: 1) }
        #expect(throws: GameError.self) { try BoltzmannHuman(beta: -0.1) }
        #expect(throws: GameError.self) { try PRationalHuman(p: 1.5) }
        #expect(throws: GameError.self) { try ConstantHuman(c: -0.1) }
        #expect(throws: GameError.self) { try DiscretePrior(points: [(1, 0), (2, 0)]) }
        #expect(throws: GameError.self) { try DiscretePrior(points: [(1, -1), (2, 2)]) }
        #expect(throws: GameError.self) { try DiscretePrior(samples: []) }
        #expect(throws: GameError.self) { try PriorSpecification.points("1:a") }
        // Written weights must sum to 1: 1.1 is an error that shows the sum, unless renormalising is asked for.
        do {
            _ = try PriorSpecification.mixture("0.7*gaussian(0,1)+0.3*uniform(-1,2)+0.1*point(3)")
            Issue.record("a mixture whose weights sum to 1.1 was accepted")
        } catch { #expect("\(error)".contains("summing to 1.1"), "\(error)") }
        #expect(throws: GameError.self) { try PriorSpecification.points("1:1,-1:3") }
        let renormalised = try PriorSpecification.points("1:1,-1:3", normalize: true)
        #expect(renormalised.probabilities == [0.25, 0.75])
        #expect(try PriorSpecification.points("1:0.1,2:0.2,3:0.7").probabilities.count == 3)   // 0.1 + 0.2 + 0.7 rounds to 1
        #expect(throws: GameError.self) { try PriorSpecification.mixture("0.5*cauchy(0,1)") }
        do {
            _ = try GaussianPrior(mu: 0, sigma: -1)
            Issue.record("no error")
        } catch {
            #expect(error.description == "invalid sigma -1: expected sigma > 0 (use a discrete prior for a point mass)")
        }
    }
}
