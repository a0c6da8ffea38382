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

    /// Appends one record (with its line feed) as UTF-8 bytes; this is the hot path of a sweep,
    /// so it writes bytes directly rather than growing a String.
    public func append(parameters: GameParameterSet, solution s: OffSwitchSolution, monteCarlo: MonteCarloEstimate?,
                       to bytes: inout [UInt8]) {
        let comma = UInt8(ascii: ",")
        func number(_ value: Double) {
            bytes.append(comma)
            bytes.append(contentsOf: CSVNumber.format(value).utf8)
        }
        bytes.append(contentsOf: configuration.priorKind.rawValue.utf8)
        for name in priorNames { number(parameters[name]) }
        for cell in fixedPriorCells { bytes.append(comma); bytes.append(contentsOf: cell.utf8) }
        bytes.append(comma)
        bytes.append(contentsOf: configuration.humanKind.rawValue.utf8)
        for name in humanNames { number(parameters[name]) }
        number(s.euAct); number(s.euOff); number(s.euWait); number(s.delta); number(s.pAllow)
        bytes.append(comma)
        bytes.append(contentsOf: s.best.description.utf8)
        if let mc = monteCarlo {
            number(Double(mc.rounds))
            for value in [mc.act.mean, mc.act.lower, mc.act.upper, mc.off.mean, mc.wait.mean, mc.wait.lower, mc.wait.upper,
                          mc.pAllow.mean, mc.pAllow.lower, mc.pAllow.upper] {
                number(value)
            }
        }
        bytes.append(UInt8(ascii: "\n"))
    }

    /// One record as a String (for single games).
    public func record(parameters: GameParameterSet, solution: OffSwitchSolution, monteCarlo: MonteCarloEstimate?) -> String {
        var bytes: [UInt8] = []
        append(parameters: parameters, solution: solution, monteCarlo: monteCarlo, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
