#!/usr/bin/env python3
"""Side-by-side benchmark of the reasoner's transformer against the same model in PyTorch (CPU,
float32, the same thread count): training tokens per second at batch 32 x 64 positions, and
sampling tokens per second with a key/value cache at batch 1 and 64 (the whole call: an 8-token
prompt, then 120 new tokens). Every rate is the best of 5 timings on both sides, and the two sides
alternate for 3 rounds: the table shows medians and each round's ratio.

The model: vocabulary 24, context 256, width 128, 4 blocks, 4 heads, MLP ratio 4, tied head,
tanh-approximated GELU, LayerNorm eps 1e-5; AdamW (0.9, 0.95), weight decay 0.1, clip 1.0.

Usage: python3 benchmarks/model.py [--write-results]   (benchmarks/run model builds the Swift side)
"""
import argparse, json, os, statistics, subprocess, time
import torch
import torch.nn as nn
import torch.nn.functional as F
from results import write_section

V, CTX, C, L, NH, B, T, STEPS, NEW, REPEATS, ROUNDS = 24, 256, 128, 4, 4, 32, 64, 40, 120, 5, 3
THREADS = 2


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(C), nn.LayerNorm(C)
        self.qkv, self.proj = nn.Linear(C, 3 * C), nn.Linear(C, C)
        self.fc, self.fcproj = nn.Linear(C, 4 * C), nn.Linear(4 * C, C)

    def forward(self, x, cache=None):
        b, t, _ = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(C, dim=2)
        q, k, v = (z.view(b, t, NH, C // NH).transpose(1, 2) for z in (q, k, v))
        if cache is not None:                       # the prompt, then one new position per step
            if cache[0] is not None:
                k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
            cache[0], cache[1] = k, v
            # The prompt pass (t > 1, empty cache) must be causal too: without the mask its
            # positions attended to later ones (logits up to 7.4 off the plain forward). A
            # single new position attends to the whole cache.
            y = F.scaled_dot_product_attention(q, k, v, is_causal=t > 1)
        else:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.proj(y.transpose(1, 2).reshape(b, t, C))
        return x + self.fcproj(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))


class GPT(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(V, C), nn.Embedding(CTX, C)
        self.blocks, self.lnf = nn.ModuleList(Block() for _ in range(L)), nn.LayerNorm(C)

    def forward(self, idx, start=0, caches=None):
        x = self.wte(idx) + self.wpe(torch.arange(start, start + idx.shape[1]))
        for i, block in enumerate(self.blocks):
            x = block(x, None if caches is None else caches[i])
        return self.lnf(x) @ self.wte.weight.T


def torch_numbers():
    torch.manual_seed(0)
    torch.set_num_threads(THREADS)
    model = GPT()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.95), weight_decay=0.1)
    x = torch.randint(2, V, (B, T + 1))
    def step():
        logits = model(x[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, V), x[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
    for _ in range(3):
        step()
    train = 0.0
    for _ in range(REPEATS):                       # best of REPEATS blocks, as on the Swift side
        t = time.perf_counter()
        for _ in range(STEPS):
            step()
        train = max(train, B * T * STEPS / (time.perf_counter() - t))

    def sample(batch):
        # The whole call, from the 8-token prompt to the last of NEW tokens, as safetykit's is
        # timed; best of REPEATS, as on the Swift side.
        best = 0.0
        with torch.inference_mode():
            for _ in range(REPEATS):
                t = time.perf_counter()
                caches = [[None, None] for _ in range(L)]
                prompt = torch.tensor([[3, 2, 11, 20, 12, 2, 4, 2]] * batch)
                logits = model(prompt, 0, caches)
                position, generated = prompt.shape[1], 0
                token = torch.multinomial(F.softmax(logits[:, -1], -1), 1)
                for _ in range(NEW):
                    logits = model(token, position, caches)
                    position += 1
                    token = torch.multinomial(F.softmax(logits[:, -1], -1), 1)
                    generated += batch
                best = max(best, generated / (time.perf_counter() - t))
        return best
    return train, sample(1), sample(64), sum(p.numel() for p in model.parameters())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", default="benchmarks/model-bench/.build/release/ModelBench")
    ap.add_argument("--write-results", action="store_true")
    args = ap.parse_args()
    # The machine is shared and its speed wanders over minutes, so the two sides alternate for
    # ROUNDS rounds; the table gives each side's median and the spread of the per-round ratios.
    keys = ["train_tokens_per_s", "sample_tokens_per_s_batch1", "sample_tokens_per_s_batch64"]
    rounds, gflops, sample_gflops = [], [], []
    for _ in range(ROUNDS):
        ours = json.loads(subprocess.run([args.bench, str(B), str(T), str(STEPS), str(NEW), str(REPEATS)],
                                         capture_output=True, text=True, check=True).stdout)
        *theirs, params = torch_numbers()
        rounds.append(([ours[k] for k in keys], theirs))
        gflops.append(ours["train_gflops"])
        sample_gflops.append(ours["sample_gflops_batch64"])
    names = ["training, batch 32 x 64 positions (tokens/s)", "sampling with KV cache, batch 1 (tokens/s)",
             "sampling with KV cache, batch 64 (tokens/s)"]
    table = ["| task | safetykit | PyTorch | ratio (safetykit / PyTorch) | ratio per round |", "|---|---|---|---|---|"]
    for i, name in enumerate(names):
        a = statistics.median(r[0][i] for r in rounds)
        b = statistics.median(r[1][i] for r in rounds)
        per_round = ", ".join(f"{r[0][i] / r[1][i]:.2f}" for r in rounds)
        table.append(f"| {name} | {a:,.0f} | {b:,.0f} | {a / b:.2f}x | {per_round} |")
    print("\n".join(table))
    notes = [f"Both models have {ours['parameters']:,} parameters (PyTorch counts {params:,}: the same, with the head tied).",
             f"safetykit's training reached {statistics.median(gflops):.1f} GFLOP/s (median) (6 FLOPs per parameter per token plus attention) "
             f"against a single-threaded sgemm peak of {ours['sgemm_gflops_1thread']:.1f} GFLOP/s on this machine "
             f"(OpenBLAS core {ours['core']}). safetykit runs OpenBLAS single-threaded, so that results do not depend "
             f"on the thread count; attention runs on {THREADS} threads. PyTorch ran with torch.set_num_threads({THREADS}).",
             f"Sampling at batch 64 reached {statistics.median(sample_gflops):.1f} GFLOP/s (median; 2 FLOPs per parameter per token "
             f"plus 4·C per cached position and layer) on {THREADS} threads."]
    print("\n".join(notes))
    if args.write_results:
        write_section("Reasoner: the transformer against PyTorch", [
            f"Measured {time.strftime('%Y-%m-%d')} by `benchmarks/run model` ({os.cpu_count()} cores); PyTorch {torch.__version__}, "
            f"float32, {THREADS} threads. Model: vocabulary {V}, width {C}, {L} blocks, {NH} heads, context {CTX}.",
            "",
        ] + table + [""] + [f"- {n}" for n in notes] + [""])


if __name__ == "__main__":
    main()
