import Foundation
import SafetyKitNumerics

/// Activation and gradient buffers for one batch shape (B sequences of T positions), allocated
/// once and reused across steps, and the forward and backward passes over them (llm.c's layout).
///
/// Inputs are token ids [B, T]; targets are the next token ids [B, T], or −1 where a position
/// is not scored (the prompt, padding). The loss is the mean cross-entropy over scored positions.
package final class TransformerWorkspace {
    package let configuration: ModelConfiguration
    package let B: Int, T: Int
    let layout: ParameterLayout
    private var storage: [UnsafeMutablePointer<Float>] = []

    // Forward activations.
    let encoded, ln1, ln1Mean, ln1Rstd, qkv, atty, att, attproj, residual2, ln2, ln2Mean, ln2Rstd: UnsafeMutablePointer<Float>
    let fch, fchGelu, fchTanh, fcproj, residual3, lnf, lnfMean, lnfRstd, logits, probs, losses: UnsafeMutablePointer<Float>
    let attMask, fcMask: UnsafeMutablePointer<Float>
    // Backward scratch.
    let dresidual, dresidual2, dln, dqkv, datty, datt, dproj, dfch, dfchGelu, dlnf, dlogits, lossWeights: UnsafeMutablePointer<Float>
    /// Gradients, laid out like the parameters.
    package private(set) var gradients: [Float]

    var tokens: [Int32]
    var targets: [Int32]
    private var usedDropout = false

    package init(configuration: ModelConfiguration, batch B: Int, length T: Int) throws(ReasonerError) {
        try configuration.validate()
        Kernels.useSingleThreadedBLAS()
        guard B >= 1, T >= 1, T <= configuration.contextLength else {
            throw .badConfiguration("a batch needs 1 to \(configuration.contextLength) positions, got \(T)")
        }
        self.configuration = configuration
        self.B = B
        self.T = T
        layout = ParameterLayout(configuration)
        let N = B * T, C = configuration.width, L = configuration.depth, H = configuration.hidden
        let V = configuration.vocabularySize, NH = configuration.heads
        var storage: [UnsafeMutablePointer<Float>] = []
        func buffer(_ count: Int) -> UnsafeMutablePointer<Float> {
            let pointer = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count))
            pointer.initialize(repeating: 0, count: max(1, count))
            storage.append(pointer)
            return pointer
        }
        encoded = buffer(N * C)
        ln1 = buffer(L * N * C); ln1Mean = buffer(L * N); ln1Rstd = buffer(L * N)
        qkv = buffer(L * N * 3 * C); atty = buffer(L * N * C); att = buffer(L * B * NH * T * T)
        attproj = buffer(L * N * C); residual2 = buffer(L * N * C)
        ln2 = buffer(L * N * C); ln2Mean = buffer(L * N); ln2Rstd = buffer(L * N)
        fch = buffer(L * N * H); fchGelu = buffer(L * N * H); fchTanh = buffer(L * N * H); fcproj = buffer(L * N * C); residual3 = buffer(L * N * C)
        lnf = buffer(N * C); lnfMean = buffer(N); lnfRstd = buffer(N)
        logits = buffer(N * V); probs = buffer(N * V); losses = buffer(N)
        let masked = configuration.dropout > 0
        attMask = buffer(masked ? L * N * C : 0); fcMask = buffer(masked ? L * N * C : 0)
        dresidual = buffer(N * C); dresidual2 = buffer(N * C); dln = buffer(N * C); dqkv = buffer(N * 3 * C)
        datty = buffer(N * C); datt = buffer(B * NH * T * T); dproj = buffer(N * C)
        dfch = buffer(N * H); dfchGelu = buffer(N * H); dlnf = buffer(N * C); dlogits = buffer(N * V); lossWeights = buffer(N)
        self.storage = storage
        gradients = [Float](repeating: 0, count: layout.count)
        tokens = [Int32](repeating: 0, count: N)
        targets = [Int32](repeating: -1, count: N)
    }

    deinit { for pointer in storage { pointer.deallocate() } }

    /// The residual stream entering layer l.
    /// Each row's position (row b·T + t is at t), for rotary positions.
    private var rowPositions: [Int] { (0..<(B * T)).map { $0 % T } }

    private func residualIn(_ l: Int) -> UnsafeMutablePointer<Float> {
        l == 0 ? encoded : residual3 + (l - 1) * B * T * configuration.width
    }

    /// Runs the model on `tokens` and returns the mean loss over scored targets (0 if none).
    /// With `dropout` given (a stream for the masks), the configuration's dropout is applied.
    @discardableResult
    package func forward(_ model: TransformerModel, tokens: [Int32], targets: [Int32], dropout: inout RandomStream?) -> Double {
        run(model, tokens: tokens, targets: targets, dropout: &dropout, masks: nil)
    }

    /// The forward pass with dropout masks given, not drawn: `masks` holds 2·L·B·T·C factors,
    /// layer by layer the attention branch's then the MLP branch's, each [B·T, C] (0 or
    /// 1/(1 − p)). For checking the passes against another implementation with the same masks;
    /// the configuration's dropout must be positive so that the workspace keeps masks.
    @discardableResult
    package func forward(_ model: TransformerModel, tokens: [Int32], targets: [Int32], dropoutMasks masks: [Float]) -> Double {
        precondition(configuration.dropout > 0 && masks.count == 2 * configuration.depth * B * T * configuration.width)
        var none: RandomStream? = nil
        return run(model, tokens: tokens, targets: targets, dropout: &none, masks: masks)
    }

    private func run(_ model: TransformerModel, tokens: [Int32], targets: [Int32], dropout: inout RandomStream?, masks: [Float]?) -> Double {
        precondition(tokens.count == B * T && targets.count == B * T)
        self.tokens = tokens
        self.targets = targets
        let c = configuration, N = B * T, C = c.width, H = c.hidden, V = c.vocabularySize, NH = c.heads
        let p = c.dropout
        usedDropout = (dropout != nil || masks != nil) && p > 0
        // Given masks are copied into the workspace's, where backward reads them.
        func given(_ mask: UnsafeMutablePointer<Float>, layer l: Int, branch k: Int, _ x: UnsafeMutablePointer<Float>) {
            masks!.withUnsafeBufferPointer { m in
                mask.update(from: m.baseAddress! + (2 * l + k) * N * C, count: N * C)
            }
            for i in 0..<(N * C) { x[i] *= mask[i] }
        }
        model.parameters.withUnsafeBufferPointer { pb in
            let w = pb.baseAddress!
            func at(_ t: ParameterLayout.Tensor, _ l: Int = 0, _ per: Int = 0) -> UnsafePointer<Float> { w + layout.offset(t) + l * per }
            self.tokens.withUnsafeBufferPointer { tok in
                Kernels.encoderForward(encoded, tokens: tok.baseAddress!, wte: at(.wte), wpe: c.rotary ? nil : at(.wpe), B: B, T: T, C: C)
            }
            for l in 0..<c.depth {
                let input = residualIn(l)
                let ln1l = ln1 + l * N * C, qkvl = qkv + l * N * 3 * C, attyl = atty + l * N * C, attl = att + l * B * NH * T * T
                let projl = attproj + l * N * C, res2l = residual2 + l * N * C, ln2l = ln2 + l * N * C
                let fchl = fch + l * N * H, gelul = fchGelu + l * N * H, fcprojl = fcproj + l * N * C, res3l = residual3 + l * N * C
                Kernels.layernormForward(ln1l, mean: ln1Mean + l * N, rstd: ln1Rstd + l * N, input: input,
                                         weight: at(.ln1w, l, C), bias: at(.ln1b, l, C), N: N, C: C)
                Kernels.matmulForward(qkvl, input: ln1l, weight: at(.qkvw, l, 3 * C * C), bias: at(.qkvb, l, 3 * C), N: N, C: C, OC: 3 * C)
                if c.rotary { Kernels.rotate(qkvl, positions: rowPositions, C: C, NH: NH) }
                Kernels.attentionForward(attyl, att: attl, qkv: qkvl, B: B, T: T, C: C, NH: NH)
                Kernels.matmulForward(projl, input: attyl, weight: at(.attprojw, l, C * C), bias: at(.attprojb, l, C), N: N, C: C, OC: C)
                if usedDropout {
                    if masks != nil { given(attMask + l * N * C, layer: l, branch: 0, projl) }
                    else { applyDropout(projl, mask: attMask + l * N * C, count: N * C, p: p, stream: &dropout!) }
                }
                for i in 0..<(N * C) { res2l[i] = input[i] + projl[i] }
                Kernels.layernormForward(ln2l, mean: ln2Mean + l * N, rstd: ln2Rstd + l * N, input: res2l,
                                         weight: at(.ln2w, l, C), bias: at(.ln2b, l, C), N: N, C: C)
                Kernels.matmulForward(fchl, input: ln2l, weight: at(.fcw, l, H * C), bias: at(.fcb, l, H), N: N, C: C, OC: H)
                Kernels.geluForward(gelul, tanhOut: fchTanh + l * N * H, input: fchl, N: N * H)
                Kernels.matmulForward(fcprojl, input: gelul, weight: at(.fcprojw, l, C * H), bias: at(.fcprojb, l, C), N: N, C: H, OC: C)
                if usedDropout {
                    if masks != nil { given(fcMask + l * N * C, layer: l, branch: 1, fcprojl) }
                    else { applyDropout(fcprojl, mask: fcMask + l * N * C, count: N * C, p: p, stream: &dropout!) }
                }
                for i in 0..<(N * C) { res3l[i] = res2l[i] + fcprojl[i] }
            }
            Kernels.layernormForward(lnf, mean: lnfMean, rstd: lnfRstd, input: residualIn(c.depth), weight: at(.lnfw), bias: at(.lnfb), N: N, C: C)
            Kernels.matmulForward(logits, input: lnf, weight: at(.wte), bias: nil, N: N, C: C, OC: V)
        }
        self.targets.withUnsafeBufferPointer { tg in
            Kernels.softmaxCrossEntropyForward(probs: probs, losses: losses, logits: logits, targets: tg.baseAddress!, N: N, V: V)
        }
        var total = 0.0, scored = 0
        for n in 0..<N where targets[n] >= 0 {
            total += Double(losses[n])
            scored += 1
        }
        return scored > 0 ? total / Double(scored) : 0
    }

    /// Inverted dropout: keep with probability 1 − p and scale kept values by 1/(1 − p).
    private func applyDropout(_ x: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>, count: Int, p: Float, stream: inout RandomStream) {
        let keep = 1 / (1 - p)
        for i in 0..<count {
            mask[i] = stream.nextUniform() >= Double(p) ? keep : 0
            x[i] *= mask[i]
        }
    }

    /// Gradients of the last forward's mean loss, into `gradients` (overwritten). Each scored
    /// position's weight is 1/(number scored) unless `weights` gives one per position.
    package func backward(_ model: TransformerModel, weights: [Float]? = nil) {
        let N = B * T, V = configuration.vocabularySize
        let scored = targets.reduce(0) { $0 + ($1 >= 0 ? 1 : 0) }
        for n in 0..<N { lossWeights[n] = weights?[n] ?? (scored > 0 ? 1 / Float(scored) : 0) }
        dlogits.initialize(repeating: 0, count: N * V)
        targets.withUnsafeBufferPointer { tg in
            Kernels.crossEntropyBackward(dlogits: dlogits, probs: probs, targets: tg.baseAddress!, weights: lossWeights, N: N, V: V)
        }
        backwardFromLogits(model)
    }

    /// The logits of the last forward pass, [B, T, V].
    package var lastLogits: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: logits, count: B * T * configuration.vocabularySize) }

    /// Gradients, into `gradients` (overwritten), of a loss whose gradient with respect to the
    /// last forward's logits is `logitGradients` ([B, T, V]): for losses on the logits other than
    /// the built-in cross-entropy (MC-CoT's fused logits).
    package func backward(_ model: TransformerModel, logitGradients: [Float]) {
        precondition(logitGradients.count == B * T * configuration.vocabularySize)
        logitGradients.withUnsafeBufferPointer { dlogits.update(from: $0.baseAddress!, count: $0.count) }
        backwardFromLogits(model)
    }

    /// Backpropagates `dlogits` through the network.
    private func backwardFromLogits(_ model: TransformerModel) {
        let c = configuration, N = B * T, C = c.width, H = c.hidden, V = c.vocabularySize, NH = c.heads
        for i in gradients.indices { gradients[i] = 0 }
        dlnf.initialize(repeating: 0, count: N * C)
        dresidual.initialize(repeating: 0, count: N * C)
        model.parameters.withUnsafeBufferPointer { pb in
            gradients.withUnsafeMutableBufferPointer { gb in
                let w = pb.baseAddress!, g = gb.baseAddress!
                func at(_ t: ParameterLayout.Tensor, _ l: Int = 0, _ per: Int = 0) -> UnsafePointer<Float> { w + layout.offset(t) + l * per }
                func grad(_ t: ParameterLayout.Tensor, _ l: Int = 0, _ per: Int = 0) -> UnsafeMutablePointer<Float> { g + layout.offset(t) + l * per }
                Kernels.matmulBackward(dinput: dlnf, dweight: grad(.wte), dbias: nil, dout: dlogits, input: lnf, weight: at(.wte), N: N, C: C, OC: V)
                Kernels.layernormBackward(dinput: dresidual, dweight: grad(.lnfw), dbias: grad(.lnfb), dout: dlnf, input: residualIn(c.depth),
                                          weight: at(.lnfw), mean: lnfMean, rstd: lnfRstd, N: N, C: C)
                for l in (0..<c.depth).reversed() {
                    let input = residualIn(l)
                    let ln1l = ln1 + l * N * C, qkvl = qkv + l * N * 3 * C, attyl = atty + l * N * C, attl = att + l * B * NH * T * T
                    let res2l = residual2 + l * N * C, ln2l = ln2 + l * N * C, fchl = fch + l * N * H, gelul = fchGelu + l * N * H
                    // Block output = residual2 + mlp: both branches receive dresidual.
                    splitResidual(dresidual, trunk: dresidual2, mask: usedDropout ? fcMask + l * N * C : nil, count: N * C)
                    dfchGelu.initialize(repeating: 0, count: N * H)
                    Kernels.matmulBackward(dinput: dfchGelu, dweight: grad(.fcprojw, l, C * H), dbias: grad(.fcprojb, l, C), dout: dproj,
                                           input: gelul, weight: at(.fcprojw, l, C * H), N: N, C: H, OC: C)
                    dfch.initialize(repeating: 0, count: N * H)
                    Kernels.geluBackward(dinput: dfch, input: fchl, tanh: fchTanh + l * N * H, dout: dfchGelu, N: N * H)
                    dln.initialize(repeating: 0, count: N * C)
                    Kernels.matmulBackward(dinput: dln, dweight: grad(.fcw, l, H * C), dbias: grad(.fcb, l, H), dout: dfch,
                                           input: ln2l, weight: at(.fcw, l, H * C), N: N, C: C, OC: H)
                    Kernels.layernormBackward(dinput: dresidual2, dweight: grad(.ln2w, l, C), dbias: grad(.ln2b, l, C), dout: dln, input: res2l,
                                              weight: at(.ln2w, l, C), mean: ln2Mean + l * N, rstd: ln2Rstd + l * N, N: N, C: C)
                    // residual2 = input + attention: both receive dresidual2.
                    splitResidual(dresidual2, trunk: dresidual, mask: usedDropout ? attMask + l * N * C : nil, count: N * C)
                    datty.initialize(repeating: 0, count: N * C)
                    Kernels.matmulBackward(dinput: datty, dweight: grad(.attprojw, l, C * C), dbias: grad(.attprojb, l, C), dout: dproj,
                                           input: attyl, weight: at(.attprojw, l, C * C), N: N, C: C, OC: C)
                    dqkv.initialize(repeating: 0, count: N * 3 * C)   // datt needs no zeroing: attentionBackward overwrites it
                    Kernels.attentionBackward(dqkv: dqkv, datt: datt, dout: datty, qkv: qkvl, att: attl, B: B, T: T, C: C, NH: NH)
                    if c.rotary { Kernels.rotate(dqkv, positions: rowPositions, C: C, NH: NH, inverse: true) }
                    dln.initialize(repeating: 0, count: N * C)
                    Kernels.matmulBackward(dinput: dln, dweight: grad(.qkvw, l, 3 * C * C), dbias: grad(.qkvb, l, 3 * C), dout: dqkv,
                                           input: ln1l, weight: at(.qkvw, l, 3 * C * C), N: N, C: C, OC: 3 * C)
                    Kernels.layernormBackward(dinput: dresidual, dweight: grad(.ln1w, l, C), dbias: grad(.ln1b, l, C), dout: dln, input: input,
                                              weight: at(.ln1w, l, C), mean: ln1Mean + l * N, rstd: ln1Rstd + l * N, N: N, C: C)
                }
                tokens.withUnsafeBufferPointer { tok in
                    Kernels.encoderBackward(dwte: grad(.wte), dwpe: c.rotary ? nil : grad(.wpe), dout: dresidual, tokens: tok.baseAddress!, B: B, T: T, C: C)
                }
            }
        }
    }

    /// The gradient of y = x + dropout(f) reaches both x (`trunk`) and the branch f (`dproj`,
    /// through the dropout mask when there is one).
    private func splitResidual(_ dy: UnsafeMutablePointer<Float>, trunk: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>?, count: Int) {
        trunk.update(from: dy, count: count)
        dproj.update(from: dy, count: count)
        if let mask { for i in 0..<count { dproj[i] *= mask[i] } }
    }

    /// The probabilities of the last forward pass at sequence b, position t (length V).
    package func probabilities(b: Int, t: Int) -> [Float] {
        let V = configuration.vocabularySize
        return Array(UnsafeBufferPointer(start: probs + (b * T + t) * V, count: V))
    }

    /// The probabilities of the last forward pass, [B, T, V].
    package var lastProbabilities: UnsafeBufferPointer<Float> { UnsafeBufferPointer(start: probs, count: B * T * configuration.vocabularySize) }

    /// The per-position losses of the last forward (0 where not scored).
    package func positionLosses() -> [Float] { Array(UnsafeBufferPointer(start: losses, count: B * T)) }
}

extension TransformerWorkspace {
    /// A workspace for a batch of examples: `existing` when its shape fits, else a new one whose
    /// length is rounded up to a multiple of 8, so that it is reused across batches. An example
    /// longer than the context is an error.
    static func fitting(_ examples: [TrainingExample], configuration: ModelConfiguration,
                        reusing existing: TransformerWorkspace?) throws(ReasonerError) -> TransformerWorkspace {
        let longest = examples.map { $0.tokens.count - 1 }.max() ?? 1
        guard longest <= configuration.contextLength else {
            throw .badProblem("an example has \(longest + 1) tokens; the model's context is \(configuration.contextLength)")
        }
        let length = min(configuration.contextLength, (longest + 7) / 8 * 8)
        if let existing, existing.T >= length, existing.B == examples.count { return existing }
        return try TransformerWorkspace(configuration: configuration, batch: examples.count, length: length)
    }
}
