import Foundation
import Synchronization

/// Every temporary file the process has open for an atomic write, so that an interrupted run
/// (SIGINT, or the SIGTERM that SLURM sends at a time limit or `scancel`) can remove them
/// before it exits, leaving only whole outputs behind.
///
/// An atomic write goes to a hidden file beside its target (`.NAME.tmp-PID`), which is renamed
/// into place when complete; `register` and `unregister` bracket its life.
public enum TemporaryFiles {
    private static let open = Mutex<Set<String>>([])

    /// Records a temporary file that exists until it is renamed or removed.
    public static func register(_ path: String) {
        open.withLock { _ = $0.insert(path) }
    }

    /// Forgets a temporary file (it was renamed into place or removed).
    public static func unregister(_ path: String) {
        open.withLock { _ = $0.remove(path) }
    }

    /// The temporary files registered now.
    public static var registered: Set<String> { open.withLock { $0 } }

    /// Removes every registered temporary file; returns how many were removed.
    @discardableResult
    public static func removeAll() -> Int {
        let paths = open.withLock { paths -> Set<String> in
            let all = paths
            paths.removeAll()
            return all
        }
        return paths.reduce(0) { $0 + (unlink($1) == 0 ? 1 : 0) }
    }

    /// The hidden temporary path beside `path` for this process.
    public static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().path + "/." + url.lastPathComponent + ".tmp-\(getpid())"
    }

    /// Writes `bytes` to `path` atomically (a registered temporary file beside it, then a
    /// rename); returns the system's reason on failure, with nothing left behind.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) -> String? {
        let temporary = temporaryPath(for: path)
        // Registered before it exists, so that a signal between creating and registering it
        // cannot leave it behind.
        register(temporary)
        defer { unregister(temporary) }
        let fd = Foundation.open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return String(cString: strerror(errno)) }
        if let code = FileDescriptorWriting.writeAll(bytes, to: fd) {
            close(fd)
            unlink(temporary)
            return String(cString: strerror(code))
        }
        guard close(fd) == 0, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            return reason
        }
        return nil
    }
}

/// Folders made the way `mkdir -p` makes them, with the reason for a failure in plain words
/// (never Foundation's "NSCocoaErrorDomain error 512").
public enum Folders {
    /// Whether `create(path)` could succeed, without making anything: nil if `path` is a folder
    /// already or its nearest existing ancestor is a writable folder, else why not. For commands
    /// that check their output before long work but make folders only when they write.
    public static func creatable(_ path: String) -> String? {
        var current = path
        while true {
            var status = stat()
            if stat(current, &status) == 0 {
                guard (status.st_mode & S_IFMT) == S_IFDIR else { return "\(current) is a file, not a folder" }
                return current == path || access(current, W_OK) == 0 ? nil : "\(current) is not writable"
            }
            // The parent: everything before the last "/" ("/" for a top-level path, "." for a bare name).
            let trimmed = current.hasSuffix("/") && current.count > 1 ? String(current.dropLast()) : current
            let next: String
            if let slash = trimmed.lastIndex(of: "/") {
                next = slash == trimmed.startIndex ? "/" : String(trimmed[..<slash])
            } else {
                next = "."
            }
            if next == current { return "no folder of \(path) exists" }
            current = next
        }
    }

    /// Creates `path` and any missing parents; nil on success, else why it could not.
    public static func create(_ path: String) -> String? {
        var current = path.hasPrefix("/") ? "" : "."
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) == 0 { continue }
            let code = errno
            var status = stat()
            if code == EEXIST, stat(current, &status) == 0 {
                if (status.st_mode & S_IFMT) == S_IFDIR { continue }
                return "\(current) is a file, not a folder"
            }
            return reason(code, at: current)
        }
        return nil
    }

    /// A system error number in plain words.
    public static func reason(_ code: Int32, at path: String) -> String {
        switch code {
        case EACCES, EPERM: "no permission to write in \(URL(fileURLWithPath: path).deletingLastPathComponent().path)"
        case ENOSPC: "the disk is full"
        case EROFS: "the file system is read-only"
        case ENOENT: "a folder on the way does not exist"
        case ENOTDIR: "a part of the path is a file, not a folder"
        default: String(cString: strerror(code))
        }
    }
}
