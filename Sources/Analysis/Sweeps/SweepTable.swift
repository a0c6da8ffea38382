import Games

/// The CSV layout of off-switch results: the prior and its parameters, the human and its
/// parameters, then eu_act, eu_off, eu_wait, delta, p_allow, best_action, and with Monte
/// Carlo the simulated means and 95% interval ends of each action's payoff and of P(allow).
public struct SweepTable: Sendable {
    public let configuration: GameConfiguration
    public let includesMonteCarlo: Bool
    /// The column names.
    public let header: [String]
    private let priorNames: [ParameterName]
    private let humanNames: [ParameterName]
    /// For non-parametric priors the prior's cells are the same on every row.
    private let fixedPriorCells: [String]

    /// The result columns, shared by every prior and human.
    public static let resultColumns = ["eu_act", "eu_off", "eu_wait", "delta", "p_allow", "best_action"]
    /// The Monte Carlo columns.
    public static let monteCarloColumns = [
        "mc_rounds", "mc_act", "mc_act_lo", "mc_act_hi", "mc_off", "mc_wait", "mc_wait_lo", "mc_wait_hi",
        "mc_p_allow", "mc_p_allow_lo", "mc_p_allow_hi",
    ]

    public init(configuration: GameConfiguration, includesMonteCarlo: Bool) {
        self.configuration = configuration
        self.includesMonteCarlo = includesMonteCarlo
        priorNames = configuration.priorParameterNames
        humanNames = configuration.humanParameterNames
        var header = ["prior"] + priorNames.map(\.rawValue)
        var fixedCells: [String] = []
        if let prior = configuration.fixedPrior {
            switch configuration.priorKind {
            case .samples:
                header.append("samples")
                fixedCells = [String((prior as? DiscretePrior)?.values.count ?? 0)]
            case .discrete:
                header.append("points")
                fixedCells = [CSVWriter.field(prior.specification ?? "")]
            case .mixture:
                header.append("mixture")
                fixedCells = [CSVWriter.field(prior.specification ?? "")]
            case .gaussian, .uniform:
                break
            }
        }
        header += ["human"] + humanNames.map(\.rawValue) + Self.resultColumns
        if includesMonteCarlo { header += Self.monteCarloColumns }
        self.header = header
        self.fixedPriorCells = fixedCells
    }

    /// The header record.
    public var headerRecord: String { CSVWriter.record(header) }

    /// Appends one record (with its line feed) to `text`.
    public func append(parameters: GameParameterSet, solution s: OffSwitchSolution, monteCarlo: MonteCarloEstimate?,
                       to text: inout String) {
        text += configuration.priorKind.rawValue
        for name in priorNames { text += ","; text += CSVNumber.format(parameters[name]) }
        for cell in fixedPriorCells { text += ","; text += cell }
        text += ","; text += configuration.humanKind.rawValue
        for name in humanNames { text += ","; text += CSVNumber.format(parameters[name]) }
        for value in [s.euAct, s.euOff, s.euWait, s.delta, s.pAllow] { text += ","; text += CSVNumber.format(value) }
        text += ","; text += s.best.description
        if let mc = monteCarlo {
            text += ","; text += String(mc.rounds)
            for value in [mc.act.mean, mc.act.lower, mc.act.upper, mc.off.mean, mc.wait.mean, mc.wait.lower, mc.wait.upper,
                          mc.pAllow.mean, mc.pAllow.lower, mc.pAllow.upper] {
                text += ","; text += CSVNumber.format(value)
            }
        }
        text += "\n"
    }
}
