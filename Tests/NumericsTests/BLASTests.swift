import Testing
@testable import SafetyKitNumerics

/// The BLAS wrappers against plain loops (the reference every later kernel is tested against).
@Suite("BLAS kernels")
struct BLASTests {
    static func reference(_ a: [Float], _ b: [Float], m: Int, n: Int, k: Int, transA: Bool, transB: Bool) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k {
                    let x = transA ? a[p * m + i] : a[i * k + p]
                    let y = transB ? b[j * k + p] : b[p * n + j]
                    sum += x * y
                }
                c[i * n + j] = sum
            }
        }
        return c
    }

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func sgemmMatchesPlainLoops(transA: Bool, transB: Bool) {
        let m = 7, n = 5, k = 9
        var stream = RandomStream(seed: 2)
        let a = (0..<(m * k)).map { _ in Float(stream.nextUniform() - 0.5) }
        let b = (0..<(k * n)).map { _ in Float(stream.nextUniform() - 0.5) }
        var c = [Float](repeating: 1, count: m * n)
        BLAS.sgemm(transposeA: transA, transposeB: transB, m: m, n: n, k: k, a: a, lda: transA ? m : k,
                   b: b, ldb: transB ? k : n, beta: 0, c: &c, ldc: n)
        let expected = Self.reference(a, b, m: m, n: n, k: k, transA: transA, transB: transB)
        for (x, y) in zip(c, expected) { #expect(abs(x - y) < 1e-5) }
    }

    @Test func dgemmSgemvSaxpySdot() {
        let a: [Double] = [1, 2, 3, 4, 5, 6]   // 2×3
        let b: [Double] = [1, 0, 0, 1, 1, 1]   // 3×2
        var c = [Double](repeating: 0, count: 4)
        BLAS.dgemm(m: 2, n: 2, k: 3, a: a, lda: 3, b: b, ldb: 2, c: &c, ldc: 2)
        #expect(c == [4, 5, 10, 11])
        let af: [Float] = [1, 2, 3, 4, 5, 6]
        var y: [Float] = [0, 0]
        BLAS.sgemv(m: 2, n: 3, a: af, lda: 3, x: [1, 1, 1], y: &y)
        #expect(y == [6, 15])
        var z: [Float] = [1, 1, 1]
        BLAS.saxpy(count: 3, alpha: 2, x: [1, 2, 3], y: &z)
        #expect(z == [3, 5, 7])
        #expect(BLAS.sdot(count: 3, [1, 2, 3], [4, 5, 6]) == 32)
        #expect(!BLAS.coreName.isEmpty)
    }
}
