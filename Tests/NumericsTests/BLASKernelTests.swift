import Foundation
import Testing
import SafetyKitNumerics

/// The kernel choice for a CPU that Debian's OpenBLAS misdetects, as a pure function of the
/// CPU's flags, the detected family and the user's OPENBLAS_CORETYPE.
@Suite("OpenBLAS kernel choice")
struct BLASKernelTests {
    static let haswell: Set<String> = ["sse2", "ssse3", "sse4_1", "sse4_2", "popcnt", "avx", "avx2", "fma"]
    static let skylakeX = haswell.union(["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"])
    static let sapphireRapids = skylakeX.union(["avx512_bf16", "amx_tile", "avx512_fp16"])

    @Test func theBestFamilyNeedsEveryInstructionItUses() {
        #expect(BLASKernel.best(flags: []) == "Prescott")
        #expect(BLASKernel.best(flags: ["ssse3", "sse4_1", "sse4_2", "popcnt"]) == "Nehalem")
        #expect(BLASKernel.best(flags: ["sse4_2", "avx"]) == "Sandybridge")
        #expect(BLASKernel.best(flags: Self.haswell) == "Haswell")
        #expect(BLASKernel.best(flags: Self.skylakeX) == "SkylakeX")
        #expect(BLASKernel.best(flags: Self.sapphireRapids) == "Cooperlake")
        // AVX-512 without one of its needed parts (no VL): not SkylakeX.
        #expect(BLASKernel.best(flags: Self.skylakeX.subtracting(["avx512vl"])) == "Haswell")
        // bf16 without the AVX-512 base is not Cooperlake.
        #expect(BLASKernel.best(flags: Self.haswell.union(["avx512_bf16"])) == "Haswell")
    }

    @Test func onlyAWeakerDetectionIsReplacedAndTheUserAlwaysWins() {
        // The misdetection seen on AVX-512 Xeons.
        #expect(BLASKernel.decide(detected: "Prescott", flags: Self.skylakeX, userSetting: nil) == .restart(core: "SkylakeX"))
        #expect(BLASKernel.decide(detected: "Prescott", flags: Self.sapphireRapids, userSetting: nil) == .restart(core: "Cooperlake"))
        #expect(BLASKernel.decide(detected: "Haswell", flags: Self.skylakeX, userSetting: nil) == .restart(core: "SkylakeX"))
        // A correct detection, an equivalent AMD family, or one stronger than our table: kept.
        #expect(BLASKernel.decide(detected: "SkylakeX", flags: Self.skylakeX, userSetting: nil) == .keep)
        #expect(BLASKernel.decide(detected: "Zen", flags: Self.haswell, userSetting: nil) == .keep)
        #expect(BLASKernel.decide(detected: "Cooperlake", flags: Self.skylakeX, userSetting: nil) == .keep)
        // An old CPU stays on what it has; an unknown name is left alone.
        #expect(BLASKernel.decide(detected: "Prescott", flags: [], userSetting: nil) == .keep)
        #expect(BLASKernel.decide(detected: "Loongson3R4", flags: Self.skylakeX, userSetting: nil) == .keep)
        // OPENBLAS_CORETYPE set by the user is never overridden, whatever it says.
        #expect(BLASKernel.decide(detected: "Prescott", flags: Self.skylakeX, userSetting: "Haswell") == .keep)
        #expect(BLASKernel.decide(detected: "Prescott", flags: Self.skylakeX, userSetting: "") == .restart(core: "SkylakeX"))
    }

    @Test func flagsAreReadFromCpuinfo() throws {
        let path = NSTemporaryDirectory() + "cpuinfo-\(UInt32.random(in: 0...UInt32.max))"
        try "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma\nbugs\t\t: spectre\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(BLASKernel.cpuFlags(cpuinfo: path) == ["fpu", "sse2", "avx", "avx2", "fma"])
        #expect(BLASKernel.cpuFlags(cpuinfo: "/nonexistent") == [])
        try FileManager.default.removeItem(atPath: path)
    }
}
