import Dispatch
import Foundation
import SafetyKitNumerics

/// SIGINT (Ctrl-C) and SIGTERM (what SLURM sends at a time limit or on `scancel`): remove every
/// temporary file of an unfinished atomic write, say so in one line, and exit 130 or 143. Whole
/// outputs already renamed into place stay, and a run directory stays resumable: its state is
/// written last, atomically, after the files it vouches for.
///
/// The handlers run on a dispatch queue, not in signal context, so they may take locks and
/// allocate; the signals themselves are ignored so that the default action does not kill the
/// process first.
enum Signals {
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    static func install() {
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: DispatchQueue(label: "safetykit.signal.\(name)"))
            source.setEventHandler {
                let removed = TemporaryFiles.removeAll()
                Terminal.printError("safetykit: stopped by \(name)" + (removed > 0 ? "; removed \(removed) unfinished output file(s)" : ""))
                _exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }
}
