#!/usr/bin/env python3
"""Side-by-side benchmark of one GRPO iteration: SafetyKit's `selfimprove --method grpo` against TRL's
GRPOTrainer (CPU, float32, the same thread count), on the same model shape and the same work.

The work of one iteration: 64 addition prompts (1-3 digits), a group of G = 8 responses each at T = 1
(512 responses), rewards, then 8 optimisation steps of 64 sequences (8 groups), one update per batch,
no KL term, clip 0.2, learning rate 1e-4. Both models start from random weights, so both draw every
response to the completion limit: the limit is SafetyKit's own for these prompts (read from its
policy log) and TRL's max_completion_length is set to it.

The model: width 128, 4 blocks, 4 heads, MLP ratio 4, context 256, tied head, tanh GELU, no dropout
(GPT-2's layout in transformers; SafetyKit's default reasoner).

SafetyKit's time is its timing.csv (collect: sampling and rewards; train); TRL's is the wall time of
trainer.train() for 8 steps, after a warm-up step. The two sides alternate for 3 rounds; the table
shows medians and each round's ratio.

Usage: python3 benchmarks/grpo.py [--write-results]   (benchmarks/run grpo installs TRL and builds)
"""
import argparse, csv, os, statistics, subprocess, tempfile, time
import torch
from results import write_section

THREADS, PROMPTS, G, STEPS, ROUNDS = 2, 64, 8, 8, 3
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAFETYKIT = os.path.join(ROOT, ".build", "release", "safetykit")
VOCAB = ["<pad>", "<eos>", "\n", "Input:", "Target:", "Hint:", "<scratch>", "</scratch>", "C:", ",",
         "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "*", "=", "mod"]


def ours(directory):
    """One SafetyKit GRPO iteration from a (nearly) untrained base: (sampling s, training s, tokens per response)."""
    run = os.path.join(directory, "run")
    subprocess.run([SAFETYKIT, "selfimprove", "--method", "grpo", "--iterations", "1", "--digits", "1-3", "--base-steps", "1",
                    "--seed-set", "20", "--pool", "200", "--heldout", "1", "--validation", "1", "--eval-samples", "1", "--pass-k", "1",
                    "--prompts", str(PROMPTS), "--samples", str(G), "--groups-per-step", "8", "--threads", str(THREADS),
                    "--out", run, "--quiet"], check=True, stdout=subprocess.DEVNULL)
    timing = list(csv.DictReader(open(os.path.join(run, "timing.csv"))))
    row = next(r for r in timing if r["iteration"] == "1")
    policy = list(csv.DictReader(open(os.path.join(run, "policy.csv"))))
    length = statistics.mean(float(r["completions/mean_length"]) for r in policy)
    return float(row["collect_seconds"]), float(row["train_seconds"]), length


def tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers, decoders
    from transformers import PreTrainedTokenizerFast
    t = Tokenizer(models.WordLevel({w: i for i, w in enumerate(VOCAB)}, unk_token="<pad>"))
    t.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Split("\n", behavior="isolated"), pre_tokenizers.WhitespaceSplit()])
    t.decoder = decoders.WordPiece(prefix="##")
    return PreTrainedTokenizerFast(tokenizer_object=t, pad_token="<pad>", eos_token="<eos>", padding_side="left")


def problems(count):
    import random
    rng = random.Random(1)
    rows = []
    for _ in range(count):
        d = rng.randint(1, 3)
        a, b = rng.randrange(10 ** (d - 1) if d > 1 else 0, 10 ** d), rng.randrange(10 ** (d - 1) if d > 1 else 0, 10 ** d)
        rows.append({"prompt": "Input:\n" + " ".join(str(a)) + " + " + " ".join(str(b)) + "\nTarget:\n", "answer": " ".join(str(a + b))})
    return rows


def trl_iteration(completion_length):
    """TRL's GRPOTrainer on the same work: seconds for 8 steps after one warm-up step."""
    from datasets import Dataset
    from transformers import GPT2Config, GPT2LMHeadModel
    from trl import GRPOConfig, GRPOTrainer
    torch.manual_seed(0)
    torch.set_num_threads(THREADS)
    tok = tokenizer()
    config = GPT2Config(vocab_size=len(VOCAB), n_positions=256, n_embd=128, n_layer=4, n_head=4, activation_function="gelu_new",
                        resid_pdrop=0, embd_pdrop=0, attn_pdrop=0, bos_token_id=1, eos_token_id=1, pad_token_id=0, tie_word_embeddings=True)
    model = GPT2LMHeadModel(config)

    def reward(completions, answer, **_):
        return [1.0 if c.strip().split("\n")[-1].strip() == a else 0.0 for c, a in zip(completions, answer)]

    def trainer(steps, out):
        args = GRPOConfig(output_dir=out, num_generations=G, per_device_train_batch_size=PROMPTS, gradient_accumulation_steps=1,
                          steps_per_generation=1, max_completion_length=completion_length, temperature=1.0, top_k=0, top_p=1.0,
                          beta=0.0, epsilon=0.2, learning_rate=1e-4, lr_scheduler_type="constant", max_steps=steps, use_cpu=True,
                          bf16=False, logging_steps=1, report_to=[], save_strategy="no", disable_tqdm=True, dataloader_num_workers=0,
                          seed=0)
        return GRPOTrainer(model=model, reward_funcs=reward, args=args, train_dataset=Dataset.from_list(problems(PROMPTS * STEPS * 2)),
                           processing_class=tok)
    with tempfile.TemporaryDirectory() as out:
        trainer(1, out).train()                     # warm-up: the first step pays for set-up
        t = trainer(STEPS, out)
        start = time.perf_counter()
        t.train()
        seconds = time.perf_counter() - start
        lengths = [h["completions/mean_length"] for h in t.state.log_history if "completions/mean_length" in h]
    return seconds, statistics.mean(lengths)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()
    kernel = subprocess.run([SAFETYKIT, "--version"], capture_output=True, text=True).stdout.strip()
    rounds = []
    for _ in range(ROUNDS):
        with tempfile.TemporaryDirectory() as directory:
            sampling, training, length = ours(directory)
        trl_seconds, trl_length = trl_iteration(round(length))
        rounds.append((sampling, training, length, trl_seconds, trl_length))
        print(f"round: SafetyKit {sampling:.1f} s sampling + {training:.1f} s training ({length:.1f} tokens per response); "
              f"TRL {trl_seconds:.1f} s ({trl_length:.1f} tokens per response); ratio {trl_seconds / (sampling + training):.2f}x")
    med = lambda i: statistics.median(r[i] for r in rounds)
    ours_total = med(0) + med(1)
    # Random weights end responses at random lengths on each side: compare tokens per second too.
    responses = PROMPTS * G
    rate = lambda r: (responses * r[2] / (r[0] + r[1]), responses * r[4] / r[3])
    ratios = ", ".join(f"{r[3] / (r[0] + r[1]):.2f}" for r in rounds)
    rate_ratios = [rate(r)[0] / rate(r)[1] for r in rounds]
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} with {kernel}; PyTorch {torch.__version__}, TRL "
        f"{__import__('trl').__version__}, transformers {__import__('transformers').__version__}; {THREADS} threads on each side; "
        f"medians of {ROUNDS} alternating rounds (`python3 benchmarks/grpo.py`).",
        "",
        f"One GRPO iteration: {PROMPTS} prompts x G = {G} responses at T = 1 to the completion limit, then {STEPS} steps of "
        f"{PROMPTS} sequences, one update each, no KL, on the default reasoner's shape from random weights.",
        "",
        "| | sampling and rewards | training | whole iteration | tokens per response | response tokens per second |",
        "|---|---|---|---|---|---|",
        f"| SafetyKit `selfimprove --method grpo` | {med(0):.1f} s | {med(1):.1f} s | {ours_total:.1f} s | {med(2):.1f} | "
        f"{statistics.median(rate(r)[0] for r in rounds):,.0f} |",
        f"| TRL `GRPOTrainer` | (not split) | (not split) | {med(3):.1f} s | {med(4):.1f} | {statistics.median(rate(r)[1] for r in rounds):,.0f} |",
        "",
        f"TRL takes **{med(3) / ours_total:.2f}x** SafetyKit's time for the iteration (rounds: {ratios}); per response token, "
        f"SafetyKit is **{statistics.median(rate_ratios):.2f}x** as fast (rounds: {', '.join(f'{x:.2f}' for x in rate_ratios)}). "
        "Random weights end responses at random lengths, so the second ratio is the fairer one. "
        f"Training is {med(1) / ours_total:.0%} of SafetyKit's iteration at these lengths.",
    ]
    print("\n".join(lines))
    if args.write_results:
        write_section("A GRPO iteration against TRL", lines)


if __name__ == "__main__":
    main()
