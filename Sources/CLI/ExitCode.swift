import SafetyKitAnalysis
import SafetyKitGames
import SafetyKitNumerics
import SafetyKitReasoner

/// The process exit codes of architecture.md (the BSD sysexits values).
enum ExitCode: Int32 {
    case success = 0
    case failure = 1
    case usage = 64
    case dataError = 65
    case noInput = 66
    case cannotCreate = 73
    case ioError = 74
    /// Only the resume tests' fault hook (SAFETYKIT_FAULT_AFTER_ITERATION) exits so.
    case faultInjected = 99
}

/// An error the CLI reports itself: a usage mistake, or a runtime failure.
enum CLIError: Error, Equatable {
    /// A bad option or option value (exit 64).
    case usage(String)
    /// Anything else that stopped the run (exit 1).
    case failure(String)
}

extension ExitCode {
    /// The one-line message and exit code for any error that reaches the top level.
    /// Invalid game parameters come from options, so they are usage errors.
    static func classify(_ error: Error) -> (message: String, code: ExitCode) {
        switch error {
        case let CLIError.usage(message): return (message, .usage)
        case let CLIError.failure(message): return (message, .failure)
        case let error as GameError:
            if case .numerical = error { return (error.description, .failure) }
            return (error.description, .usage)
        case let error as AnalysisError:
            switch error {
            case .missingFile: return (error.description, .noInput)
            case .badData: return (error.description, .dataError)
            case .cannotCreate: return (error.description, .cannotCreate)
            case .io: return (error.description, .ioError)
            }
        case let error as NumericsError: return (error.description, .failure)
        case let error as ReasonerError:
            switch error {
            case .missingCheckpoint: return (error.description, .noInput)
            case .badCheckpoint: return (error.description, .dataError)
            case .cannotWrite: return (error.description, .cannotCreate)
            case .unknownToken, .badProblem, .badConfiguration: return (error.description, .usage)
            }
        default: return ("\(error)", .failure)
        }
    }
}
