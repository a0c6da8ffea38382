import Foundation

/// Choosing OpenBLAS's kernel family when the library misdetects the CPU.
///
/// Debian's OpenBLAS 0.3.21 does not know recent server CPUs and falls back to its generic
/// "Prescott" kernels on them (seen on AVX-512 Xeons: training about 3× slower than with
/// `OPENBLAS_CORETYPE=SkylakeX`). OpenBLAS reads `OPENBLAS_CORETYPE` once, when it is loaded, so
/// the fix is to set it and start the process again before any BLAS work: `safetykit` does that
/// at start-up (`BLASKernel.restartIfMisdetected`). It never picks a family whose instructions
/// the CPU lacks (the choice is made from /proc/cpuinfo's flags alone), and never overrides an
/// `OPENBLAS_CORETYPE` that is already set.
public enum BLASKernel {
    /// OpenBLAS 0.3.21's x86-64 families that SafetyKit may choose, weakest first, with the CPU
    /// flags (as /proc/cpuinfo names them) each family's kernels need.
    public static let families: [(name: String, needs: Set<String>)] = [
        ("Prescott", []),   // the x86-64 baseline
        ("Nehalem", ["ssse3", "sse4_1", "sse4_2", "popcnt"]),
        ("Sandybridge", ["sse4_2", "avx"]),
        ("Haswell", ["sse4_2", "avx", "avx2", "fma"]),
        ("SkylakeX", ["avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]),
        ("Cooperlake", ["avx", "avx2", "fma", "avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx512_bf16"]),
    ]

    /// Families OpenBLAS may report that are as good as one of ours for the same instructions
    /// (its AMD kernels are Haswell-class; Zen 4 is reported as SkylakeX or Cooperlake).
    static let equivalents: [String: String] = ["Zen": "Haswell", "Excavator": "Sandybridge", "Steamroller": "Sandybridge",
                                                 "Piledriver": "Sandybridge", "Bulldozer": "Sandybridge", "Core2": "Prescott",
                                                 "Penryn": "Prescott", "Dunnington": "Prescott", "Atom": "Prescott",
                                                 "SapphireRapids": "Cooperlake"]

    /// The strongest family whose every needed flag the CPU has ("Prescott" if none).
    public static func best(flags: Set<String>) -> String {
        families.last { $0.needs.isSubset(of: flags) }?.name ?? "Prescott"
    }

    /// A family's rank among `families` (equivalents ranked as their counterpart); nil if unknown.
    static func rank(_ name: String) -> Int? {
        let canonical = equivalents[name] ?? name
        return families.firstIndex { $0.name.caseInsensitiveCompare(canonical) == .orderedSame }
    }

    /// What to do at start-up.
    public enum Decision: Equatable, Sendable {
        /// Keep the library's choice (it is as good as the CPU allows, or the user chose).
        case keep
        /// Start again with OPENBLAS_CORETYPE set to this family.
        case restart(core: String)
    }

    /// The decision for a library that detected `detected` on a CPU with `flags`, when the
    /// environment's OPENBLAS_CORETYPE is `userSetting` (nil if unset). Only a known family that
    /// is weaker than the best the CPU supports is replaced; an unknown name is left alone.
    public static func decide(detected: String, flags: Set<String>, userSetting: String?) -> Decision {
        guard userSetting == nil || userSetting!.isEmpty else { return .keep }
        let choice = best(flags: flags)
        guard let have = rank(detected), let want = rank(choice), want > have else { return .keep }
        return .restart(core: choice)
    }

    /// The CPU's feature flags from /proc/cpuinfo (empty where there is none: then nothing changes).
    public static func cpuFlags(cpuinfo path: String = "/proc/cpuinfo") -> Set<String> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
    }

    /// The environment variable that marks a process started again by `restartIfMisdetected`,
    /// holding the family OpenBLAS had detected (for `--version`), so it restarts at most once.
    public static let restartMarker = "SAFETYKIT_OPENBLAS_DETECTED"

    /// Restarts the process with a better OPENBLAS_CORETYPE if OpenBLAS misdetected this CPU
    /// (see the type's documentation). Call first thing in `main`, before any BLAS call. Returns
    /// only if no restart was needed or the restart failed (the process then goes on with the
    /// library's kernels).
    public static func restartIfMisdetected() {
        let environment = ProcessInfo.processInfo.environment
        guard environment[restartMarker] == nil else { return }
        #if os(Linux)
        let decision = decide(detected: BLAS.coreName, flags: cpuFlags(), userSetting: environment["OPENBLAS_CORETYPE"])
        guard case .restart(let core) = decision else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv(restartMarker, BLAS.coreName, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // execv returned: it failed. Go on as we were.
        unsetenv("OPENBLAS_CORETYPE")
        unsetenv(restartMarker)
        #endif
    }

    /// How the kernel in use was chosen, for `--version` and benchmark reports: "Haswell",
    /// "SkylakeX (set by OPENBLAS_CORETYPE)" or "SkylakeX (chosen by SafetyKit; OpenBLAS had
    /// detected Prescott)".
    public static var description: String {
        let environment = ProcessInfo.processInfo.environment
        if let detected = environment[restartMarker] {
            return "\(BLAS.coreName) (chosen by SafetyKit; OpenBLAS had detected \(detected))"
        }
        if let set = environment["OPENBLAS_CORETYPE"], !set.isEmpty { return "\(BLAS.coreName) (set by OPENBLAS_CORETYPE)" }
        return BLAS.coreName
    }
}
