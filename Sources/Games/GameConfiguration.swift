/// A game described by names and numbers, as the command line and sweeps give it: which prior,
/// which human, and the values of their parameters. `makeGame(_:)` turns it into a game.
public struct GameConfiguration: Sendable {
    /// The kinds of belief the command line knows.
    public enum PriorKind: String, CaseIterable, Sendable {
        case gaussian, uniform, discrete, samples, mixture
    }

    /// The kinds of human the command line knows.
    public enum HumanKind: String, CaseIterable, Sendable {
        case rational, boltzmann
        case pRational = "p-rational"
        case constant
    }

    /// The kind of R's belief.
    public var priorKind: PriorKind
    /// The kind of H's policy.
    public var humanKind: HumanKind
    /// Numeric parameters; those the chosen prior and human do not use are ignored.
    public var parameters: GameParameterSet
    /// The belief for non-parametric kinds (discrete, samples, mixture), built once.
    public var fixedPrior: (any Prior)?

    /// A configuration; `parameters` fills in the values the kinds need (defaults for the rest).
    public init(priorKind: PriorKind, humanKind: HumanKind, parameters: GameParameterSet = GameParameterSet(),
                fixedPrior: (any Prior)? = nil) {
        self.priorKind = priorKind
        self.humanKind = humanKind
        self.parameters = parameters
        self.fixedPrior = fixedPrior
    }

    /// The numeric parameters the prior uses, in table order.
    public var priorParameterNames: [ParameterName] {
        switch priorKind {
        case .gaussian: [.mu, .sigma]
        case .uniform: [.lo, .hi]
        case .discrete, .samples, .mixture: []
        }
    }

    /// The numeric parameters the human uses, in table order.
    public var humanParameterNames: [ParameterName] {
        switch humanKind {
        case .rational: []
        case .boltzmann: [.beta]
        case .pRational: [.p]
        case .constant: [.c]
        }
    }

    /// Every parameter that can be swept for this prior and human.
    public var sweepableNames: [ParameterName] { priorParameterNames + humanParameterNames }

    /// Builds the game with the given parameter values, validating them.
    public func makeGame(_ values: GameParameterSet) throws(GameError) -> OffSwitchGame {
        OffSwitchGame(prior: try makePrior(values), human: try makeHuman(values))
    }

    /// Builds the game with this configuration's own parameter values.
    public func makeGame() throws(GameError) -> OffSwitchGame { try makeGame(parameters) }

    func makePrior(_ values: GameParameterSet) throws(GameError) -> any Prior {
        switch priorKind {
        case .gaussian: return try GaussianPrior(mu: values[.mu], sigma: values[.sigma])
        case .uniform: return try UniformPrior(lo: values[.lo], hi: values[.hi])
        case .discrete, .samples, .mixture:
            guard let fixedPrior else {
                throw .invalidConfiguration("a \(priorKind.rawValue) prior needs its points, samples or components")
            }
            return fixedPrior
        }
    }

    /// The human for these parameter values.
    public func makeHuman(_ values: GameParameterSet) throws(GameError) -> any HumanModel {
        switch humanKind {
        case .rational: return RationalHuman()
        case .boltzmann: return try BoltzmannHuman(beta: values[.beta])
        case .pRational: return try PRationalHuman(p: values[.p])
        case .constant: return try ConstantHuman(c: values[.c])
        }
    }
}
