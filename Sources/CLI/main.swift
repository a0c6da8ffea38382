import Foundation
import SafetyKitNumerics

/// The version printed by `safetykit --version` and recorded in run directories.
let safetyKitVersion = "0.1.0"

let overview = """
SafetyKit: the off-switch game and agent-uncertainty simulator, beside a self-improving reasoner.

Usage: safetykit COMMAND [options]      (safetykit COMMAND --help for each)

Commands:
  offswitch   Solve the off-switch game for any prior and human model; sweep grids to CSV and
              SVG heatmaps; check exact values by Monte Carlo.
  merge       Join the shards of a sweep computed with --shard K/N.
  calibrate   Calibration metrics (ECE, MCE, Brier, NLL, AUROC, bootstrap intervals) and reliability
              diagrams for anyone's predictions, from a CSV file.
  plot        Line charts, heatmaps and reliability diagrams from any CSV SafetyKit writes.
  train       Train the reasoner, a small transformer, on gold rationales (addition, subtraction,
              multiplication, modchain, word problems, or their mixture).
  sample      Sample rationales and answers from a trained model, marked right or wrong.
  eval        Held-out accuracy of a trained model per difficulty.
  pinto       PINTO's faithful reasoner on a frozen rationalizer's rationales, with and without its
              counterfactual regularizer: accuracy, ECE and faithfulness in and out of distribution.
  confidence  Teach a trained model to state its confidence (P(True) and a verbalized decile) and
              measure its calibration in distribution and under shift.
  selfimprove Self-improvement loops (STaR, RFT, online RFT, B-STaR, label-free LMSI, MC-CoT, RPO,
              GRPO, Dr. GRPO, RLOO, S^3c-Math, SELF, ReGenesis) with per-iteration accuracy,
              exploration metrics, calibration tracking and the off-switch probe, in a resumable run
              directory.
  games       The off-switch game's relatives: posg (partially observable, exact), obedience, cirl
              (incorrigibility), indifference (utility indifference), interruptibility (gridworld).
  judge       A judge of the reasoner's solutions (first wrong step, 1-5 score): SFT on seed judgments,
              then self-rationalization by DPO; score accuracy, calibration and best-of-k per iteration.
  aggregate   Aggregate any selfimprove runs, grouped into arms, over their seeds (paired changes,
              95% t-intervals, charts).
  outcome     GRPO, Dr. GRPO and RLOO on stochastic outcomes: does each keep a stated probability
              calibrated under a proper-scoring-rule reward? (Bereket and Leskovec 2025)
  study       The corrigibility study: self-improvement methods across seeds, the off-switch probe on
              every iteration, aggregated with confidence intervals.

Options:
  --version   Print the version and the numerical libraries in use.
  -h, --help  Show this overview.

Example:
  safetykit offswitch --prior gaussian --mu 0.5 --sigma 1 --human boltzmann --beta 1

"""

let commands = ["offswitch", "merge", "calibrate", "plot", "train", "sample", "eval", "pinto", "confidence", "selfimprove", "judge", "aggregate", "outcome", "study", "games"]

func runCommandLine(_ arguments: [String]) -> ExitCode {
    guard let command = arguments.first else {
        Terminal.printOut(overview)
        return .success
    }
    let rest = Array(arguments.dropFirst())
    do {
        switch command {
        case "offswitch": return try OffSwitchCommand.run(rest)
        case "merge": return try MergeCommand.run(rest)
        case "calibrate": return try CalibrateCommand.run(rest)
        case "plot": return try PlotCommand.run(rest)
        case "train": return try TrainCommand.run(rest)
        case "sample": return try SampleCommand.run(rest)
        case "eval": return try EvalCommand.run(rest)
        case "confidence": return try ConfidenceCommand.run(rest)
        case "pinto": return try PINTOCommand.run(rest)
        case "outcome": return try OutcomeCommand.run(rest)
        case "aggregate": return try AggregateCommand.run(rest)
        case "selfimprove": return try SelfImproveCommand.run(rest)
        case "judge": return try JudgeCommand.run(rest)
        case "study": return try StudyCommand.run(rest)
        case "games": return try GamesCommand.run(rest)
        case "help" where rest.count >= 1:
            // `safetykit help CMD [SUB]` is `safetykit CMD [SUB] --help`, word for word.
            guard commands.contains(rest[0]) else {
                throw CLIError.usage("unknown command '\(rest[0])'; the commands are: \(commands.joined(separator: ", "))")
            }
            return runCommandLine(rest + ["--help"])
        case "--help", "-h", "help":
            Terminal.printOut(overview)
            return .success
        case "--version":
            Terminal.printOut("safetykit \(safetyKitVersion) (GSL \(NumericsLibraries.gslVersion), OpenBLAS core \(BLASKernel.description))\n")
            return .success
        default:
            throw CLIError.usage("unknown command '\(command)'; the commands are: \(commands.joined(separator: ", ")) (see 'safetykit --help')")
        }
    } catch {
        let (message, code) = ExitCode.classify(error)
        let prefix = commands.contains(command) ? "safetykit \(command)" : "safetykit"
        Terminal.printError("\(prefix): error: \(message)")
        return code
    }
}

// Before any BLAS work: a CPU that Debian's OpenBLAS misdetects gets the best kernels it has.
BLASKernel.restartIfMisdetected()
Signals.install()
exit(runCommandLine(Array(CommandLine.arguments.dropFirst())).rawValue)
