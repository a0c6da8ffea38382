import SafetyKitGames
import SafetyKitNumerics

/// The CSV layout of off-switch results: the prior and its parameters, the human and its
/// parameters, then eu_act, eu_off, eu_wait, delta, p_allow, best_action, and with Monte
/// Carlo the simulated means and 95% interval ends of each action's payoff and of P(allow).
package struct SweepTable: Sendable {
    package let configuration: GameConfiguration
    package let includesMonteCarlo: Bool
    /// The column names.
    package let header: [String]
    private let priorNames: [ParameterName]
    private let humanNames: [ParameterName]
    /// For non-parametric priors the prior's cells are the same on every row.
    private let fixedPriorCells: [String]

    /// The result columns, shared by every prior and human.
    package static let resultColumns = ["eu_act", "eu_off", "eu_wait", "delta", "p_allow", "best_action"]
    /// The Monte Carlo columns.
    package static let monteCarloColumns = [
        "mc_rounds", "mc_act", "mc_act_lo", "mc_act_hi", "mc_off", "mc_wait", "mc_wait_lo", "mc_wait_hi",
        "mc_p_allow", "mc_p_allow_lo", "mc_p_allow_hi",
    ]

    package init(configuration: GameConfiguration, includesMonteCarlo: Bool) {
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
    package var headerRecord: String { CSVWriter.record(header) }

    /// Appends one record (with its line feed) as UTF-8 bytes; this is the hot path of a sweep,
    /// so it writes bytes directly rather than growing a String. A `cursor` supplies the
    /// pre-formatted text of swept parameters.
    package func append(parameters: GameParameterSet, solution s: OffSwitchSolution, monteCarlo: MonteCarloEstimate?,
                       to bytes: inout [UInt8], cursor: AxisCursor? = nil) {
        let comma = UInt8(ascii: ",")
        func number(_ value: Double) {
            bytes.append(comma)
            DecimalText.append(value, to: &bytes)
        }
        func parameter(_ name: ParameterName) {
            if let text = cursor?.text(name) {
                bytes.append(comma)
                bytes.append(contentsOf: text)
            } else {
                number(parameters[name])
            }
        }
        bytes.append(contentsOf: configuration.priorKind.rawValue.utf8)
        for name in priorNames { parameter(name) }
        for cell in fixedPriorCells { bytes.append(comma); bytes.append(contentsOf: cell.utf8) }
        bytes.append(comma)
        bytes.append(contentsOf: configuration.humanKind.rawValue.utf8)
        for name in humanNames { parameter(name) }
        // E[U] is μ itself for a Gaussian, and Δ is E[πU] itself when E[U] < 0: reuse their text.
        if configuration.priorKind == .gaussian, s.euAct == parameters[.mu], let text = cursor?.text(.mu) {
            bytes.append(comma)
            bytes.append(contentsOf: text)
        } else {
            number(s.euAct)
        }
        number(s.euOff)
        let waitStart = bytes.count
        number(s.euWait)
        if s.delta.bitPattern == s.euWait.bitPattern {
            // Byte by byte: appending a slice of `bytes` to itself would copy the whole buffer.
            for i in waitStart..<bytes.count { bytes.append(bytes[i]) }
        } else {
            number(s.delta)
        }
        number(s.pAllow)
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
    package func record(parameters: GameParameterSet, solution: OffSwitchSolution, monteCarlo: MonteCarloEstimate?) -> String {
        var bytes: [UInt8] = []
        append(parameters: parameters, solution: solution, monteCarlo: monteCarlo, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A walk over consecutive sweep points that carries each axis's index like an odometer, so the
/// parameter values and their pre-formatted text come from arrays with no division or hashing.
/// A sweep row repeats the same few axis values millions of times, and formatting a Double is
/// a large part of a row's cost, so each axis value is formatted once.
package struct AxisCursor {
    private let names: [ParameterName]
    private let values: [[Double]]
    private let texts: [[[UInt8]]]
    private var coordinates: [Int]
    /// The parameter values at the current point.
    package private(set) var parameters: GameParameterSet

    /// A cursor at point `index` of `sweep`.
    package init(sweep: Sweep, at index: Int) {
        names = sweep.axes.map(\.name)
        values = sweep.axes.map(\.values)
        texts = sweep.axes.map { $0.values.map { Array(CSVNumber.format($0).utf8) } }
        coordinates = sweep.coordinates(at: index)
        parameters = sweep.parameters(at: index)
    }

    /// The pre-formatted text of parameter `name` at the current point, if it is swept.
    func text(_ name: ParameterName) -> [UInt8]? {
        for a in names.indices where names[a] == name { return texts[a][coordinates[a]] }
        return nil
    }

    /// Moves to the next point.
    package mutating func advance() {
        var a = names.count - 1
        while a >= 0 {
            coordinates[a] += 1
            if coordinates[a] < values[a].count {
                parameters[names[a]] = values[a][coordinates[a]]
                return
            }
            coordinates[a] = 0
            parameters[names[a]] = values[a][0]
            a -= 1
        }
    }
}
