#!/bin/sh
# Issue 20: S^3c-Math against plain self-training from the same bases. For seeds 1-3: one base
# per seed, trained by selfimprove on a small gold seed set (addition at 1-3 digits: 1000, 200
# and 50 rationales, 1000 steps; the first arm trains it and the others start from it), then
# five arms of 2 iterations each: online RFT (the same online loop on the model's own right
# solutions without corrections: plain SFT at the same steps), s3c, its mask ablation
# (s3c-unmasked), STaR and RFT; and SELF, whose first iteration is its meta-skill stage on
# annotated problems of its own, so it runs 3 iterations (the meta-skill stage, then 2 of
# self-evolution on the unlabeled pool, which never see a gold answer). Resumable.
# Run from the repository root: notebooks-data/self-correction/run.sh
set -e
S=${SAFETYKIT:-.build/release/safetykit}
R=${RUNS:-runs/self-correction}
mkdir -p "$R"
common="--digits 1-3 --pool 150 --heldout 60 --validation 20 --steps 150 --eval-samples 4 --track-calibration --quiet"
for seed in 1 2 3; do
  d=$R/online-rft-$seed
  $S selfimprove --method online-rft --seed-set 1000,200,50 --base-steps 1000 --iterations 2 $common --seed $seed --out $d $([ -f $d/config.json ] && echo --resume)
  for arm in "s3c" "s3c --no-step-mask" "star" "rft" "self"; do
    set -- $arm
    name=$1; [ $# -gt 1 ] && name=s3c-unmasked
    d=$R/$name-$seed
    # SELF trains its own base, byte for byte the same as online RFT's (same seed, seed set and
    # steps), so that its meta-skill stage can fall back on the seed set where 1-digit problems
    # run out; it runs one iteration more (its first is the meta-skill stage).
    start="--base $R/online-rft-$seed/checkpoints/iteration-0.ckpt" iterations=2
    [ $name = self ] && start="--seed-set 1000,200,50 --base-steps 1000" iterations=3
    $S selfimprove --method $arm --iterations $iterations $start $common --seed $seed --out $d \
       $([ -f $d/config.json ] && echo --resume)
  done
done
arms=""
for a in online-rft s3c s3c-unmasked star rft self; do arms="$arms $a=$R/$a-1,$R/$a-2,$R/$a-3"; done
$S aggregate $arms --out notebooks-data/self-correction --quiet > notebooks-data/self-correction/summary.txt
