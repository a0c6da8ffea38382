import Foundation
import SafetyKitNumerics

/// Standard streams and terminal detection.
enum Terminal {
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Writes a line to stderr (a failure there has nowhere to be reported, so it is ignored).
    static func printError(_ text: String) {
        _ = write(all: Array((text + "\n").utf8), to: STDERR_FILENO)
    }

    /// Writes to stdout; a write error (a full disk, `> /dev/full`, a closed pipe) is reported in
    /// one line and exits 74, as every other output's failure does.
    static func printOut(_ text: String) {
        if let reason = write(all: Array(text.utf8), to: STDOUT_FILENO) {
            printError("safetykit: error: <stdout>: \(reason)")
            exit(ExitCode.ioError.rawValue)
        }
    }

    /// Writes every byte; the error's text, or nil on success.
    private static func write(all bytes: [UInt8], to descriptor: Int32) -> String? {
        FileDescriptorWriting.writeAll(bytes, to: descriptor).map { String(cString: strerror($0)) }
    }
}

/// A progress bar that parallel workers advance one unit at a time.
final class SharedProgress: @unchecked Sendable {
    private let bar: ProgressBar
    private let lock = NSLock()
    private var done = 0

    init(_ bar: ProgressBar) { self.bar = bar }

    /// One more unit done.
    func advance() {
        lock.lock(); defer { lock.unlock() }
        done += 1
        bar.update(done)
    }

    func finish() { lock.lock(); defer { lock.unlock() }; bar.finish() }
}

/// A progress bar on stderr with a rate and an estimated time remaining. It draws only when
/// stderr is a terminal (and not with --quiet), at most ten times a second.
final class ProgressBar {
    private let total: Int
    private let unit: String
    private let enabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast

    init(total: Int, unit: String, quiet: Bool) {
        self.total = max(1, total)
        self.unit = unit
        self.enabled = !quiet && Terminal.stderrIsTerminal
    }

    func update(_ done: Int, detail: String? = nil) {
        guard enabled else { return }
        let now = Date()
        guard done >= total || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let fraction = Double(done) / Double(total)
        let width = 28
        let filled = Int(fraction * Double(width))
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        var line = "\r\(bar) \(Int(fraction * 100))% \(done)/\(total) \(unit) · \(Self.rate(rate)) \(unit)/s · ETA \(Self.clock(remaining))"
        if let detail { line += " · " + detail }
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static func rate(_ value: Double) -> String {
        value >= 1e6 ? String(format: "%.1fM", value / 1e6) : value >= 1e3 ? String(format: "%.1fk", value / 1e3) : String(format: "%.0f", value)
    }

    /// "m:ss" under an hour, "h:mm:ss" under a day, then "Nd h:mm" (an ETA of 10⁶ s is not "16666:40").
    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds < 1e12 else { return "—" }
        let s = Int(seconds.rounded())
        if s < 3600 { return String(format: "%d:%02d", s / 60, s % 60) }
        if s < 86_400 { return String(format: "%d:%02d:%02d", s / 3600, s % 3600 / 60, s % 60) }
        return String(format: "%dd %d:%02d", s / 86_400, s % 86_400 / 3600, s % 3600 / 60)
    }
}
