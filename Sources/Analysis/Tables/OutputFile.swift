import Foundation
import Synchronization
import SafetyKitNumerics

/// A text output written atomically: bytes go to a hidden temporary file beside the target,
/// which is renamed into place only by `commit()`. A failure or an early exit removes the
/// temporary file, so a reader never sees a half-written output. With no path, writes stdout.
/// A target that exists and is not a regular file (a device such as /dev/null or /dev/full, a
/// FIFO, /dev/stdout) is written directly: renaming over it would replace the device itself.
package final class OutputFile {
    /// The target path, or nil for standard output.
    package let path: String?
    private let temporaryPath: String?
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var finished = false
    private var claimed: String? = nil

    /// The targets of the outputs open now, to refuse one path given for two outputs.
    private static let openTargets = Mutex<Set<String>>([])
    private static func claim(_ target: String) -> Bool { openTargets.withLock { $0.insert(target).inserted } }
    private static func release(_ target: String?) { if let target { _ = openTargets.withLock { $0.remove(target) } } }

    /// Opens the output. Fails at once (exit 73) if the directory is missing or not writable,
    /// before any work is done.
    package init(path: String?) throws(AnalysisError) {
        // "-" is standard output, as for most Unix tools.
        let path = path == "-" ? nil : path
        self.path = path
        guard let path else {
            temporaryPath = nil
            descriptor = STDOUT_FILENO
            return
        }
        let url = URL(fileURLWithPath: path)
        // Two outputs of one command on the same path would leave only the last (`--out a.csv
        // --plot a.csv` left the SVG in a.csv): refuse the second before any work.
        let target = url.standardizedFileURL.path
        guard Self.claim(target) else { throw .cannotCreate(path: path, reason: "it is already another output of this command") }
        claimed = target
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw .cannotCreate(path: path, reason: "it is a directory")
        }
        var status = stat()
        if stat(path, &status) == 0, (status.st_mode & S_IFMT) != S_IFREG {
            let fd = open(path, O_WRONLY)
            guard fd >= 0 else { throw .cannotCreate(path: path, reason: String(cString: strerror(errno))) }
            temporaryPath = nil
            descriptor = fd
            return
        }
        let temporary = TemporaryFiles.temporaryPath(for: path)
        // Registered before it exists, so that a signal between creating and registering it
        // cannot leave it behind.
        TemporaryFiles.register(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            let code = errno
            TemporaryFiles.unregister(temporary)
            throw .cannotCreate(path: path, reason: Self.plain(code))
        }
        temporaryPath = temporary
        descriptor = fd
        buffer.reserveCapacity(1 << 16)
    }

    deinit {
        if !finished { discard() }
        Self.release(claimed)
    }

    /// Appends text; flushes in 64 KiB blocks.
    package func write(_ text: String) throws(AnalysisError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Appends UTF-8 bytes.
    package func write(bytes: [UInt8]) throws(AnalysisError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Writes everything buffered so far.
    package func flush() throws(AnalysisError) {
        if let code = FileDescriptorWriting.writeAll(buffer, to: descriptor) {
            throw .io(path: path ?? "<stdout>", reason: String(cString: strerror(code)))
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, closes and renames the temporary file into place (atomic on one file system).
    package func commit() throws(AnalysisError) {
        try flush()
        finished = true
        Self.release(claimed)
        claimed = nil
        guard let path, let temporaryPath else {
            // A device or FIFO written in place: close it, and report what close says.
            if path != nil, close(descriptor) != 0 { throw .io(path: path!, reason: String(cString: strerror(errno))) }
            return
        }
        // No fsync: the rename is what makes the output appear whole to other processes. Surviving
        // a power cut is not promised, and an fsync of a large sweep costs more than computing it.
        defer { TemporaryFiles.unregister(temporaryPath) }
        if close(descriptor) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw .io(path: path, reason: reason)
        }
        if rename(temporaryPath, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw .cannotCreate(path: path, reason: reason)
        }
    }

    /// Abandons the output: the temporary file is removed and the target is left untouched.
    package func discard() {
        finished = true
        Self.release(claimed)
        claimed = nil
        guard let temporaryPath else {
            if path != nil { close(descriptor) }
            return
        }
        close(descriptor)
        unlink(temporaryPath)
        TemporaryFiles.unregister(temporaryPath)
    }

    /// The system's reason in plain words, with the missing-folder case named.
    static func plain(_ code: Int32) -> String {
        code == ENOENT ? "its folder does not exist" : String(cString: strerror(code))
    }

    /// Writes a whole text file atomically.
    package static func write(_ text: String, to path: String) throws(AnalysisError) {
        let file = try OutputFile(path: path)
        try file.write(text)
        try file.commit()
    }
}
