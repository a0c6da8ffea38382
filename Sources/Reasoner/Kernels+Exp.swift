import Foundation

extension Kernels {
    /// e^x on eight lanes, equal bit for bit to glibc's `expf` (the FMA build that x86-64
    /// machines with AVX2 run), which the scalar loops call: so vectorising a loop's exp changes
    /// no result. Checked against this machine's libm on all 2³² float bit patterns (NaN equal
    /// to NaN), outside the suite; `KernelTests` samples the range. Lanes with |x| ≥ 88 or NaN,
    /// where expf handles overflow, underflow and specials, are computed by libm itself.
    ///
    /// The method (the one glibc uses): x·32/ln 2 = k + r with k an integer (rounded by adding
    /// 1.5·2⁵² in double) and |r| ≤ 1/2; e^x = 2^(k/32)·2^(r/32), the first factor from a table
    /// of 2^(i/32) with k's high bits added to its exponent, the second a cubic in r, all in
    /// double with fused multiply-adds, and one rounding to float at the end.
    ///
    /// Hot loops pass `Exp.table` read once outside the loop (a global's lazy-initialisation
    /// check per call cost 60% more in a microbenchmark).
    @inline(__always)
    static func exp8(_ x: SIMD8<Float>, table: UnsafePointer<UInt64> = Exp.table) -> SIMD8<Float> {
        typealias D = SIMD8<Double>
        let xd = D(x)
        var kd = D(repeating: Exp.shift).addingProduct(D(repeating: Exp.scaledInverseLn2), xd)
        let ki = unsafeBitCast(kd, to: SIMD8<UInt64>.self)
        kd -= D(repeating: Exp.shift)
        let r = (-kd).addingProduct(D(repeating: Exp.scaledInverseLn2), xd)
        var bits = SIMD8<UInt64>()
        for j in 0..<8 { bits[j] = table[Int(ki[j] & 31)] }
        let s = unsafeBitCast(bits &+ (ki &<< 47), to: D.self)
        let cubic = D(repeating: Exp.c1).addingProduct(D(repeating: Exp.c0), r)
        let linear = D(repeating: 1).addingProduct(D(repeating: Exp.c2), r)
        var result = SIMD8<Float>(linear.addingProduct(cubic, r * r) * s)
        let magnitude = unsafeBitCast(x, to: SIMD8<UInt32>.self) & 0x7fff_ffff
        // |x| ≥ 88, ±∞ or NaN. (A reduction: `any(magnitude .>= …)` compiled to a lane-by-lane
        // loop through memory that made the whole function slower than eight libm calls.)
        if magnitude.max() >= 0x42b0_0000 {
            for j in 0..<8 where magnitude[j] >= 0x42b0_0000 { result[j] = Foundation.exp(x[j]) }
        }
        return result
    }

    /// row[j] = e^(row[j] − shift) for j in 0..<count, eight at a time, and their sum taken in
    /// order j = 0, 1, … (the scalar loop's sum): a softmax's numerators and denominator.
    @inline(__always)
    static func exponentiate(_ row: Buffer, count: Int, subtracting shift: Float) -> Float {
        var j = 0
        let table = Exp.table
        while j + 8 <= count {
            store8(exp8(load8(row + j) - shift, table: table), row + j)
            j += 8
        }
        while j < count { row[j] = Foundation.exp(row[j] - shift); j += 1 }
        var sum: Float = 0
        for i in 0..<count { sum += row[i] }
        return sum
    }

    /// The constants of `exp8`.
    enum Exp {
        static let shift = 0x1.8p+52
        static let scaledInverseLn2 = 0x1.71547652b82fep+0 * 32
        /// The cubic's coefficients for 2^(r/32) − 1 in r.
        static let c0 = 0x1.c6af84b912394p-5 / (32 * 32 * 32), c1 = 0x1.ebfce50fac4f3p-3 / (32 * 32), c2 = 0x1.62e42ff0c52d6p-1 / 32
        /// 2^(i/32) correctly rounded to double (200-bit mpmath), less i·2⁴⁷ in its bits, so
        /// that adding k·2⁴⁷ puts ⌊k/32⌋ into the exponent.
        static let powers: [Double] = [
            0x1.0000000000000p+0, 0x1.059b0d3158574p+0, 0x1.0b5586cf9890fp+0, 0x1.11301d0125b51p+0,
            0x1.172b83c7d517bp+0, 0x1.1d4873168b9aap+0, 0x1.2387a6e756238p+0, 0x1.29e9df51fdee1p+0,
            0x1.306fe0a31b715p+0, 0x1.371a7373aa9cbp+0, 0x1.3dea64c123422p+0, 0x1.44e086061892dp+0,
            0x1.4bfdad5362a27p+0, 0x1.5342b569d4f82p+0, 0x1.5ab07dd485429p+0, 0x1.6247eb03a5585p+0,
            0x1.6a09e667f3bcdp+0, 0x1.71f75e8ec5f74p+0, 0x1.7a11473eb0187p+0, 0x1.82589994cce13p+0,
            0x1.8ace5422aa0dbp+0, 0x1.93737b0cdc5e5p+0, 0x1.9c49182a3f090p+0, 0x1.a5503b23e255dp+0,
            0x1.ae89f995ad3adp+0, 0x1.b7f76f2fb5e47p+0, 0x1.c199bdd85529cp+0, 0x1.cb720dcef9069p+0,
            0x1.d5818dcfba487p+0, 0x1.dfc97337b9b5fp+0, 0x1.ea4afa2a490dap+0, 0x1.f50765b6e4540p+0,
        ]
        /// Allocated once and never freed: a pointer, as an array's bounds checks and reference
        /// counting doubled `exp8`'s time.
        nonisolated(unsafe) static let table: UnsafePointer<UInt64> = {
            let bits = UnsafeMutablePointer<UInt64>.allocate(capacity: powers.count)
            for (i, power) in powers.enumerated() { bits[i] = power.bitPattern &- (UInt64(i) << 47) }
            return UnsafePointer(bits)
        }()
    }
}
