#!/usr/bin/env python3
"""Writes Tests/ReasonerTests/Fixtures/pytorch-reference.json: the reasoner rebuilt in PyTorch
(float64 autograd) from committed checkpoints, and what it computes, for the Swift test
`PyTorchReferenceTests` to reproduce in float32.

For each checkpoint (learned and rotary positions, d = 128, 4 layers, 4 heads) and each dropout
setting (none, or the fixed masks below applied to both residual branches of every block):
  - the mean cross-entropy of a fixed batch of 32 x 64 tokens (the first 8 positions of a row
    and a few padded ones are not scored), and the logits of every 64th row;
  - every parameter group's gradient L2 norm and 24 gradient elements per group at fixed
    indices (the largest, the smallest nonzero and evenly spaced ones);
  - the same elements of the parameters after one AdamW step with the project's settings
    (betas 0.9, 0.95, eps 1e-8, weight decay 0.1 on matrices and embeddings only, gradient
    norm clipped to 1, learning rate 1e-3, from zero moments);
and, without dropout, the greedy completions (up to 40 tokens, <eos> included) of 24 addition
prompts with the log-probability of each token.

The masks are a formula both sides compute exactly: element i of layer l's branch k (0 =
attention, 1 = MLP) over its N x C values, g = (2l + k)·N·C + i, is kept when
((g·2654435761 + 12345) mod 2³²) >> 16 is not divisible by 10 (p = 0.1), kept values being scaled
by float32(1)/(1 − float32(0.1)).

Usage: python3 benchmarks/reference/make_model_reference.py [--strip SRC.ckpt DEST.ckpt]
  --strip rewrites a checkpoint without its optimizer state (how the committed ones were made
  from `safetykit train` output, to keep them at 3.3 MB). Installs nothing; needs torch, numpy.
"""
import json, math, os, struct, sys
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "Tests", "ReasonerTests", "Fixtures")
TENSORS = ["wte", "wpe", "ln1w", "ln1b", "qkvw", "qkvb", "attprojw", "attprojb", "ln2w", "ln2b",
           "fcw", "fcb", "fcprojw", "fcprojb", "lnfw", "lnfb"]
DECAYED = {"wte", "wpe", "qkvw", "attprojw", "fcw", "fcprojw"}
MAGIC = b"SKCKPT\r\n"
B, T, SCORED_FROM, P_DROP, LR = 32, 64, 8, 0.1, 1e-3


def fnv1a(data):
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def read_checkpoint(path):
    data = open(path, "rb").read()
    assert data[:8] == MAGIC, "not a SafetyKit checkpoint"
    assert struct.unpack("<Q", data[-8:])[0] == fnv1a(data[:-8]), "checksum mismatch"
    version, length = struct.unpack("<II", data[8:16])
    header = json.loads(data[16:16 + length])
    count = header["parameterCount"]
    weights = np.frombuffer(data, dtype="<f4", count=count, offset=16 + length).copy()
    return header, weights


def strip(source, destination):
    header, weights = read_checkpoint(source)
    header["hasOptimizer"] = False
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    body = MAGIC + struct.pack("<II", 1, len(text)) + text + weights.astype("<f4").tobytes()
    open(destination, "wb").write(body + struct.pack("<Q", fnv1a(body)))


def layout(config):
    V, CTX, C, L = config["vocabularySize"], config["contextLength"], config["width"], config["depth"]
    H = config["mlpRatio"] * C
    shapes = [(V, C), (CTX, C), (L, C), (L, C), (L, 3 * C, C), (L, 3 * C), (L, C, C), (L, C), (L, C), (L, C),
              (L, H, C), (L, H), (L, C, H), (L, C), (C,), (C,)]
    offsets, running = [], 0
    for shape in shapes:
        offsets.append(running)
        running += int(np.prod(shape))
    return shapes, offsets


def unpack(config, weights):
    shapes, offsets = layout(config)
    return {name: torch.tensor(weights[o:o + int(np.prod(s))].astype(np.float64).reshape(s), requires_grad=True)
            for name, s, o in zip(TENSORS, shapes, offsets)}


def masks(config, n):
    C, L = config["width"], config["depth"]
    keep = float(np.float32(1) / (np.float32(1) - np.float32(P_DROP)))
    out = []
    for layer in range(L):
        pair = []
        for kind in range(2):
            g = np.arange((2 * layer + kind) * n * C, (2 * layer + kind + 1) * n * C, dtype=np.uint64)
            h = ((g * np.uint64(2654435761) + np.uint64(12345)) & np.uint64(0xFFFFFFFF)) >> np.uint64(16)
            pair.append(torch.tensor(np.where(h % np.uint64(10) != 0, keep, 0.0).reshape(n, C)))
        out.append(pair)
    return out


def rotate(x, positions, heads):
    """x: [rows, C] queries or keys; pairs (2i, 2i+1) of each head turn by p·10000^(-2i/hs)."""
    rows, C = x.shape
    hs = C // heads
    freq = torch.tensor([10000.0 ** (-2 * i / hs) for i in range(hs // 2)], dtype=torch.float64)
    angle = torch.tensor(positions, dtype=torch.float64)[:, None] * freq[None, :]
    # The Swift side rounds cos and sin to float32 once; so does the reference.
    cos = angle.cos().float().double().repeat(1, heads)
    sin = angle.sin().float().double().repeat(1, heads)
    a, b = x[:, 0::2], x[:, 1::2]
    out = torch.empty_like(x)
    out[:, 0::2] = a * cos - b * sin
    out[:, 1::2] = a * sin + b * cos
    return out


def forward(config, p, tokens, drop=None):
    """tokens: [b, t] int64. Returns logits [b, t, V]."""
    b, t = tokens.shape
    C, L, NH = config["width"], config["depth"], config["heads"]
    hs = C // NH
    rotary = config.get("rotary", False)
    x = p["wte"][tokens]
    if not rotary:
        x = x + p["wpe"][:t][None]
    x = x.reshape(b * t, C)
    positions = [i % t for i in range(b * t)]
    causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
    for l in range(L):
        h = torch.nn.functional.layer_norm(x, (C,), p["ln1w"][l], p["ln1b"][l], eps=1e-5)
        qkv = h @ p["qkvw"][l].T + p["qkvb"][l]
        q, k, v = qkv[:, :C], qkv[:, C:2 * C], qkv[:, 2 * C:]
        if rotary:
            q, k = rotate(q, positions, NH), rotate(k, positions, NH)
        q, k, v = (z.reshape(b, t, NH, hs).transpose(1, 2) for z in (q, k, v))
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(hs)
        scores = scores.masked_fill(~causal, float("-inf"))
        y = (scores.softmax(-1) @ v).transpose(1, 2).reshape(b * t, C)
        y = y @ p["attprojw"][l].T + p["attprojb"][l]
        if drop is not None:
            y = y * drop[l][0]
        x = x + y
        h = torch.nn.functional.layer_norm(x, (C,), p["ln2w"][l], p["ln2b"][l], eps=1e-5)
        h = h @ p["fcw"][l].T + p["fcb"][l]
        h = 0.5 * h * (1 + torch.tanh(math.sqrt(2 / math.pi) * (h + 0.044715 * h ** 3)))
        h = h @ p["fcprojw"][l].T + p["fcprojb"][l]
        if drop is not None:
            h = h * drop[l][1]
        x = x + h
    x = torch.nn.functional.layer_norm(x, (C,), p["lnfw"], p["lnfb"], eps=1e-5)
    return (x @ p["wte"].T).reshape(b, t, -1)


def sample_indices(grad, count=24):
    flat = grad.abs().flatten()
    nonzero = torch.nonzero(flat > 0).flatten()
    chosen = [int(flat.argmax())]
    if len(nonzero):
        chosen.append(int(nonzero[flat[nonzero].argmin()]))
    chosen += [int(i) for i in np.linspace(0, flat.numel() - 1, count - len(chosen)).round()]
    return sorted(set(chosen))


def training_case(config, weights, tokens, targets, dropout):
    p = unpack(config, weights)
    drop = masks(config, B * T) if dropout else None
    logits = forward(config, p, torch.tensor(tokens).reshape(B, T), drop)
    flat_targets = torch.tensor(targets)
    scored = flat_targets >= 0
    loss = torch.nn.functional.cross_entropy(logits.reshape(B * T, -1)[scored], flat_targets[scored])
    loss.backward()
    rows = list(range(0, B * T, 64))
    # AdamW's first step from zero moments, as AdamW.update computes it (in float64 here).
    # An unused tensor (rotary models keep wpe in the layout) has no gradient: zeros.
    grads = {name: p[name].grad if p[name].grad is not None else torch.zeros_like(p[name]) for name in TENSORS}
    norm = math.sqrt(sum(float((g.float().double() ** 2).sum()) for g in grads.values()))
    scale = 1.0 / norm if norm > 1 else 1.0
    b1, b2, eps = 0.9, 0.95, 1e-8
    case = {"dropout": dropout, "loss": float(loss.detach()), "logit_rows": rows,
            "logits": [[float(v) for v in logits.detach().reshape(B * T, -1)[r]] for r in rows],
            "gradient_norm": norm, "groups": {}}
    for name in TENSORS:
        g = grads[name]
        indices = sample_indices(g)
        param = p[name].detach().flatten()
        gs = g.flatten() * scale
        m = (1 - b1) * gs
        v = (1 - b2) * gs * gs
        m_hat, v_hat = m / (1 - b1), v / (1 - b2)
        decay = 0.1 if name in DECAYED else 0.0
        after = param - LR * (m_hat / (v_hat.sqrt() + eps) + decay * param)
        case["groups"][name] = {"norm": float(g.norm()), "indices": indices,
                                "gradients": [float(g.flatten()[i]) for i in indices],
                                "after_step": [float(after[i]) for i in indices]}
    return case


def greedy_case(config, weights, vocabulary, prompts, max_tokens=40):
    p = {k: v.detach() for k, v in unpack(config, weights).items()}
    eos = vocabulary.index("<eos>")
    out = []
    with torch.no_grad():
        for prompt in prompts:
            sequence, tokens, logps, margins = list(prompt), [], [], []
            for _ in range(max_tokens):
                if len(sequence) >= config["contextLength"]:
                    break
                logits = forward(config, p, torch.tensor([sequence]))[0, -1]
                logp = logits.log_softmax(-1)
                top = torch.topk(logp, 2)
                token = int(top.indices[0])
                margins.append(float(top.values[0] - top.values[1]))
                tokens.append(token)
                logps.append(float(logp[token]))
                sequence.append(token)
                if token == eos:
                    break
            out.append({"prompt": prompt, "tokens": tokens, "log_probabilities": logps, "smallest_margin": min(margins)})
    return out


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--strip":
        strip(sys.argv[2], sys.argv[3])
        return
    torch.set_num_threads(2)
    rng = np.random.default_rng(20261201)
    fixture = {"batch": B, "length": T, "dropout": P_DROP, "learning_rate": LR, "checkpoints": []}
    tokens, targets = None, None
    for name in ["reference-learned.ckpt", "reference-rotary.ckpt"]:
        header, weights = read_checkpoint(os.path.join(FIXTURES, name))
        config, vocabulary = header["configuration"], header["vocabulary"]
        V = config["vocabularySize"]
        if tokens is None:
            tokens = rng.integers(0, V, size=B * T).tolist()
            targets = tokens[1:] + [int(rng.integers(0, V))]
            for r in range(B):                      # the prompt part and a ragged padded tail are not scored
                for t in range(T):
                    if t < SCORED_FROM or t >= T - (r % 5):
                        targets[r * T + t] = -1
            fixture["tokens"], fixture["targets"] = tokens, targets
            digits = [vocabulary.index(str(d)) for d in range(10)]
            prompts = []
            for _ in range(24):
                n = int(rng.integers(1, 3))
                a = [digits[int(d)] for d in rng.integers(0, 10, size=n)]
                b = [digits[int(d)] for d in rng.integers(0, 10, size=n)]
                prompts.append([vocabulary.index("Input:"), vocabulary.index("\n")] + a + [vocabulary.index("+")] + b
                               + [vocabulary.index("\n"), vocabulary.index("Target:"), vocabulary.index("\n")])
        entry = {"file": name, "rotary": config.get("rotary", False),
                 "training": [training_case(config, weights, tokens, targets, d) for d in (False, True)],
                 "greedy": greedy_case(config, weights, vocabulary, prompts)}
        fixture["checkpoints"].append(entry)
        print(f"{name}: loss {entry['training'][0]['loss']:.6f} (dropout {entry['training'][1]['loss']:.6f}); "
              f"greedy margins >= {min(g['smallest_margin'] for g in entry['greedy']):.2e}", file=sys.stderr)
    path = os.path.join(FIXTURES, "pytorch-reference.json")
    with open(path, "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
    print(f"wrote {path} ({os.path.getsize(path) // 1024} kB) with torch {torch.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
