import Foundation

/// Writing a whole buffer to a file descriptor: the one loop every output in SafetyKit uses
/// (atomic files, outputs written in place, the standard streams).
package enum FileDescriptorWriting {
    /// Writes every byte of `bytes` to `descriptor`, retrying after interrupts and short writes.
    /// Returns nil on success, else the `errno` of the failed write.
    package static func writeAll(_ bytes: [UInt8], to descriptor: Int32) -> Int32? {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            offset += written
        }
        return nil
    }
}
