import SafetyKitNumerics

/// A finite mixture of beliefs: with probability wₖ, U is drawn from component k.
/// Every expectation is the weighted sum of the components' (each computed its own best way).
public struct MixturePrior: Prior {
    /// The components with their probabilities (normalised, summing to 1).
    public let components: [(weight: Double, prior: any Prior)]

    /// A finite mixture; the weights must be positive and sum to 1.
    public init(components: [(weight: Double, prior: any Prior)]) throws(GameError) {
        guard !components.isEmpty else { throw .invalidConfiguration("a mixture needs at least one component") }
        var total = 0.0
        for (index, component) in components.enumerated() {
            try GameError.requireFinite(component.weight, "mixture weight \(index + 1)")
            guard component.weight >= 0 else {
                throw .invalidParameter(name: "mixture weight \(index + 1)", value: GameError.format(component.weight),
                                        accepted: "expected a non-negative weight")
            }
            total += component.weight
        }
        guard total > 0 else {
            throw .invalidParameter(name: "mixture weights", value: "summing to \(GameError.format(total))",
                                    accepted: "expected weights that sum to a positive number")
        }
        self.components = components.map { (weight: $0.weight / total, prior: $0.prior) }
    }

    public var kind: String { "mixture" }
    public var parameters: [GameParameter] { [] }

    /// "w1*gaussian(mu,sigma)+w2*point(u)+…", the syntax `--mixture` reads.
    public var specification: String? {
        components.map { component in
            if let point = component.prior as? DiscretePrior, point.values.count == 1 {
                return "\(DecimalText.shortest(component.weight))*point(\(DecimalText.shortest(point.values[0])))"
            }
            let inner = component.prior.specification.map { "(\($0))" }
                ?? "(" + component.prior.parameters.map { DecimalText.shortest($0.value) }.joined(separator: ",") + ")"
            return "\(DecimalText.shortest(component.weight))*\(component.prior.kind)\(inner)"
        }.joined(separator: "+")
    }

    public var mean: Double { components.reduce(0) { $0 + $1.weight * $1.prior.mean } }

    public var meanError: Double {
        components.reduce(0) { $0 + $1.weight * ($1.prior.meanError + GameExpectations.roundoff * abs($1.prior.mean)) }
    }

    public var partialMoments: PartialMoments {
        var sum = PartialMoments.zero
        for (w, prior) in components {
            let m = prior.partialMoments
            sum.positiveError += w * m.positiveError + GameExpectations.roundoff * w * m.positivePart
            sum.negativeError += w * m.negativeError + GameExpectations.roundoff * w * m.negativePart
            sum.positivePart += w * m.positivePart
            sum.negativePart += w * m.negativePart
            sum.probabilityNonNegative += w * m.probabilityNonNegative
            sum.probabilityNegative += w * m.probabilityNegative
        }
        return sum
    }

    public func expectation(_ f: (Double) -> Double, breaks: [Double]) throws(GameError) -> Integral {
        var total = Integral(value: 0, absoluteError: 0)
        for (w, prior) in components {
            let part = try prior.expectation(f, breaks: breaks)
            total.value += w * part.value
            total.absoluteError += w * part.absoluteError
        }
        return total
    }

    public func expectations(under human: any HumanModel) throws(GameError) -> GameExpectations {
        var total = GameExpectations.zero
        for (w, prior) in components {
            total = total.adding(try prior.expectations(under: human), weight: w)
        }
        return total
    }

    public func sample(using stream: inout RandomStream) -> Double {
        let x = stream.nextUniform()
        var running = 0.0
        for (w, prior) in components {
            running += w
            if x < running { return prior.sample(using: &stream) }
        }
        return components[components.count - 1].prior.sample(using: &stream)
    }
}
