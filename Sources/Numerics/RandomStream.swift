import Foundation

/// A seeded, splittable stream of random numbers (xoshiro256** seeded through SplitMix64).
///
/// Streams are addressed, not shared: `RandomStream(seed: s, stream: i)` and `substream(_:)`
/// derive an independent stream from a key, so work item i draws the same numbers whichever
/// thread or shard runs it. That is how SafetyKit gives byte-identical output at any thread count.
public struct RandomStream: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
    /// The key this stream was derived from; substreams are derived from it, not from the state.
    public let key: UInt64

    /// The stream numbered `stream` under `seed`.
    public init(seed: UInt64, stream: UInt64 = 0) {
        self.init(key: RandomStream.mix(seed ^ RandomStream.mix(stream &+ 0x6A09_E667_F3BC_C909)))
    }

    private init(key: UInt64) {
        self.key = key
        var sm = key
        s0 = RandomStream.splitMix(&sm)
        s1 = RandomStream.splitMix(&sm)
        s2 = RandomStream.splitMix(&sm)
        s3 = RandomStream.splitMix(&sm)
    }

    /// An independent child stream; the same index always gives the same child.
    public func substream(_ index: UInt64) -> RandomStream {
        RandomStream(key: RandomStream.mix(key ^ RandomStream.mix(index &+ 0xBB67_AE85_84CA_A73B)))
    }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        nextBits()
    }

    @usableFromInline
    mutating func nextBits() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// A uniform double in [0, 1) with 53 random bits.
    @inlinable
    public mutating func nextUniform() -> Double {
        Double(nextBits() >> 11) * 0x1.0p-53
    }

    /// A uniform double in (0, 1): never exactly 0, for logarithms.
    @inlinable
    public mutating func nextOpenUniform() -> Double {
        (Double(nextBits() >> 12) + 0.5) * 0x1.0p-52
    }

    /// A standard normal variate (Marsaglia's polar method; one of each accepted pair is used,
    /// so a draw consumes a whole number of 64-bit outputs and the stream stays position-addressable).
    public mutating func nextNormal() -> Double {
        while true {
            let u = 2 * nextUniform() - 1
            let v = 2 * nextUniform() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 { return u * (-2 * log(s) / s).squareRoot() }
        }
    }

    /// A uniform integer in 0..<bound (Lemire's nearly divisionless method, exact).
    public mutating func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0)
        return Int(truncatingIfNeeded: next(upperBound: UInt64(bound)))
    }

    /// Shuffles `items` in place (Fisher–Yates from the last index down, one `nextIndex` each),
    /// an order fixed by the stream, unlike the standard library's, which may change between releases.
    public mutating func shuffle<T>(_ items: inout [T]) {
        for i in stride(from: items.count - 1, to: 0, by: -1) { items.swapAt(i, nextIndex(below: i + 1)) }
    }

    @usableFromInline
    func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// SplitMix64's output function: a bijective 64-bit mixer.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return mix(state)
    }
}
