import SafetyKitAnalysis
import Foundation
import SafetyKitGames
import SafetyKitNumerics

extension OffSwitchCommand {
    /// Solves one game and prints it as a table, CSV or JSON.
    static func runSingle(configuration: GameConfiguration, format: OutputFormat, monteCarlo: OffSwitchMonteCarlo?,
                          seed: UInt64, out: String?) throws -> ExitCode {
        let output = try OutputFile(path: out)
        let game = try configuration.makeGame()
        let solution = try game.solve()
        var estimate: MonteCarloEstimate? = nil
        if let monteCarlo {
            var stream = Sweep.stream(seed: seed, point: 0)
            estimate = monteCarlo.play(game, stream: &stream)
        }
        switch format {
        case .csv:
            let table = SweepTable(configuration: configuration, includesMonteCarlo: estimate != nil)
            try output.write(table.headerRecord + table.record(parameters: configuration.parameters, solution: solution, monteCarlo: estimate))
        case .json:
            try output.write(json(game: game, solution: solution, estimate: estimate).pretty() + "\n")
        case .table:
            try output.write(table(game: game, solution: solution, estimate: estimate))
        }
        try output.commit()
        return .success
    }

    static func describe(_ prior: any Prior) -> String {
        switch prior {
        case let g as GaussianPrior: return "Gaussian N(mu=\(CSVNumber.format(g.mu)), sigma=\(CSVNumber.format(g.sigma)))"
        case let u as UniformPrior: return "uniform U[\(CSVNumber.format(u.lo)), \(CSVNumber.format(u.hi))]"
        case let d as DiscretePrior where d.kind == "samples": return "empirical, \(d.values.count) samples"
        default: return "\(prior.kind) \(prior.specification ?? "")"
        }
    }

    static func describe(_ human: any HumanModel) -> String {
        let parameters = human.parameters.map { "\($0.name)=\(CSVNumber.format($0.value))" }.joined(separator: ", ")
        return parameters.isEmpty ? "\(human.kind) human" : "\(human.kind) human (\(parameters))"
    }

    /// A readable table with a one-line explanation of the decision.
    static func table(game: OffSwitchGame, solution s: OffSwitchSolution, estimate: MonteCarloEstimate?) -> String {
        // Values within display precision of zero print as 0, never as -0.0000000000.
        func number(_ x: Double) -> String { String(format: "% .10f", abs(x) < 5e-11 ? 0 : x) }
        var lines = ["Off-switch game: \(describe(game.prior)) belief, \(describe(game.human))", ""]
        let header = "                        exact" + (estimate.map { "           Monte Carlo (n=\($0.rounds), 95% CI)" } ?? "")
        lines.append(header)
        func row(_ label: String, _ exact: Double, _ simulated: MeanEstimate?) {
            var line = label.padding(toLength: 18, withPad: " ", startingAt: 0) + number(exact)
            if let m = simulated {
                line += "    " + number(m.mean) + "  [" + String(format: "%.6f, %.6f", m.lower, m.upper) + "]"
                line += m.covers(exact) ? "" : "  (exact value outside the interval)"
            }
            lines.append(line)
        }
        row("  E[U | act]", s.euAct, estimate?.act)
        row("  E[U | off]", s.euOff, estimate?.off)
        row("  E[U | wait]", s.euWait, estimate?.wait)
        row("  delta", s.delta, nil)
        row("  P(H allows)", s.pAllow, estimate?.pAllow)
        if let t = s.theorem2 {
            lines.append("")
            lines.append("  Theorem 2: delta = sigma^2 E[pi'(U)] - |mu| Pr(override) = \(number(t.spread)) - \(number(t.override).trimmingCharacters(in: .whitespaces))")
        }
        lines.append("  method: \(s.method.rawValue)" + (s.absoluteError > 0 ? String(format: ", estimated error %.1e", s.absoluteError) : ", exact"))
        lines.append("")
        lines.append("Best: \(s.best) — \(explanation(s))")
        return lines.joined(separator: "\n") + "\n"
    }

    /// One sentence on why the best action is best.
    static func explanation(_ s: OffSwitchSolution) -> String {
        let delta = String(format: "%.4g", s.delta)
        switch s.best {
        case .wait:
            return "deferring is worth delta = \(delta) more than acting or switching off: the human's veto filters out enough harmful outcomes to pay for the good ones it blocks."
        case .act:
            return "R is confident enough (E[U] > 0) that the human's veto costs more than it saves (delta = \(delta))."
        case .off:
            return "R expects harm (E[U] < 0) and the human would let too much of it through (delta = \(delta))."
        case [.act, .wait]:
            return "waiting is exactly as good as acting (delta = 0): the human never vetoes an action R would want (a one-signed belief), or the belief sits on the boundary sigma^2 = 2|mu|beta."
        case [.off, .wait]:
            return "waiting is exactly as good as switching off (delta = 0)."
        case [.act, .off]:
            return "acting and switching off are both worth 0 and waiting is worse (delta = \(delta))."
        default:
            return "every action is worth the same."
        }
    }

    static func json(game: OffSwitchGame, solution s: OffSwitchSolution, estimate: MonteCarloEstimate?) -> JSONValue {
        var members: [(String, JSONValue)] = [("prior", .string(game.prior.kind))]
        members += game.prior.parameters.map { ($0.name, .number($0.value)) }
        if let specification = game.prior.specification { members.append(("prior_spec", .string(specification))) }
        members.append(("human", .string(game.human.kind)))
        members += game.human.parameters.map { ($0.name, .number($0.value)) }
        members += [("eu_act", .number(s.euAct)), ("eu_off", .number(s.euOff)), ("eu_wait", .number(s.euWait)),
                    ("delta", .number(s.delta)), ("p_allow", .number(s.pAllow)), ("best_action", .string(s.best.description)),
                    ("method", .string(s.method.rawValue)), ("absolute_error", .number(s.absoluteError))]
        if let t = s.theorem2 {
            members.append(("theorem2", .object([("spread_term", .number(t.spread)), ("override_term", .number(t.override))])))
        }
        if let e = estimate {
            func interval(_ m: MeanEstimate) -> JSONValue {
                .object([("mean", .number(m.mean)), ("ci95", .array([.number(m.lower), .number(m.upper)]))])
            }
            members.append(("monte_carlo", .object([("rounds", .number(Double(e.rounds))), ("act", interval(e.act)),
                                                     ("off", interval(e.off)), ("wait", interval(e.wait)),
                                                     ("p_allow", interval(e.pAllow))])))
        }
        return .object(members)
    }
}
