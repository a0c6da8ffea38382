import Foundation
import SafetyKitNumerics

/// AdamW (Loshchilov and Hutter) with decoupled weight decay on matrices only, global
/// gradient-norm clipping, and a learning rate that warms up linearly then decays by a cosine.
public struct AdamW: Sendable {
    /// The first moment's decay.
    public var beta1: Float = 0.9
    /// The second moment's decay.
    public var beta2: Float = 0.95
    /// Added to √v̂ before dividing.
    public var epsilon: Float = 1e-8
    /// Decoupled weight decay, on matrices and embeddings only (`ParameterLayout.isDecayed`).
    public var weightDecay: Float = 0.1
    /// Gradients are rescaled so that their global L2 norm is at most this (0 = no clipping).
    public var clipNorm: Float = 1
    /// First and second moments, laid out like the parameters.
    public var m: [Float]
    /// (see `m`)
    public var v: [Float]
    /// Updates taken so far.
    public var step: Int = 0

    /// An optimizer with zero moments for `parameterCount` parameters.
    public init(parameterCount: Int) {
        m = [Float](repeating: 0, count: parameterCount)
        v = [Float](repeating: 0, count: parameterCount)
    }

    /// One update; returns the gradient norm before clipping.
    @discardableResult
    public mutating func update(_ model: inout TransformerModel, gradients: [Float], learningRate: Float) -> Float {
        precondition(gradients.count == model.parameters.count && m.count == gradients.count)
        var squares: Double = 0
        for g in gradients { squares += Double(g * g) }
        let norm = Float(squares.squareRoot())
        let scale: Float = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1
        step += 1
        let correction1 = 1 - pow(beta1, Float(step)), correction2 = 1 - pow(beta2, Float(step))
        // Elementwise from here, so fixed slices of each tensor run in parallel with results
        // identical to one loop.
        let layout = model.layout, slice = 1 << 16
        let (b1, b2, eps, rate) = (beta1, beta2, epsilon, learningRate)
        let work = ParameterLayout.Tensor.allCases.flatMap { tensor in
            let decay = layout.isDecayed(tensor) ? weightDecay : 0
            let start = layout.offset(tensor), end = start + layout.size(tensor)
            return stride(from: start, to: end, by: slice).map { (start: $0, end: min(end, $0 + slice), decay: decay) }
        }
        model.parameters.withUnsafeMutableBufferPointer { p in
            gradients.withUnsafeBufferPointer { g in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        let shared = (Kernels.Shared(p.baseAddress!), Kernels.Shared(UnsafeMutablePointer(mutating: g.baseAddress!)),
                                      Kernels.Shared(m.baseAddress!), Kernels.Shared(v.baseAddress!))
                        Parallel.forEach(work.count, threads: Kernels.workers(p.count)) { w in
                            let (p, g, m, v) = (shared.0.pointer, shared.1.pointer, shared.2.pointer, shared.3.pointer)
                            let (start, end, decay) = work[w]
                            for i in start..<end {
                                let grad = g[i] * scale
                                m[i] = b1 * m[i] + (1 - b1) * grad
                                v[i] = b2 * v[i] + (1 - b2) * grad * grad
                                let mHat = m[i] / correction1, vHat = v[i] / correction2
                                p[i] -= rate * (mHat / (vHat.squareRoot() + eps) + decay * p[i])
                            }
                        }
                    }
                }
            }
        }
        return norm
    }
}

/// Linear warm-up to the peak, then cosine decay to `minimumRatio` × peak at `totalSteps`.
public struct LearningRateSchedule: Sendable, Codable, Equatable {
    /// The peak learning rate.
    public var peak: Float
    /// Steps of linear warm-up to the peak.
    public var warmupSteps: Int
    /// The step at which the cosine decay reaches its floor.
    public var totalSteps: Int
    /// The floor as a share of the peak.
    public var minimumRatio: Float = 0.1

    /// A schedule.
    public init(peak: Float, warmupSteps: Int, totalSteps: Int, minimumRatio: Float = 0.1) {
        self.peak = peak
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
        self.minimumRatio = minimumRatio
    }

    /// The rate for step s (0-based).
    public func rate(at s: Int) -> Float {
        if s < warmupSteps { return peak * Float(s + 1) / Float(warmupSteps) }
        let span = max(1, totalSteps - warmupSteps)
        let progress = min(1, Float(s - warmupSteps) / Float(span))
        let cosine = 0.5 * (1 + cos(Float.pi * progress))
        return peak * (minimumRatio + (1 - minimumRatio) * cosine)
    }
}
