#!/bin/sh
# Issue 20: S^3c-Math against plain self-training from the same bases. For seeds 1-3, the bases
# of notebooks-data/rl-calibration (addition at 1-3 digits, 1500 SFT steps), then five arms of 2
# iterations each: s3c, its mask ablation (s3c-unmasked), online RFT (the same loop on the
# model's own right solutions without corrections: plain SFT at the same steps), STaR and RFT.
# Resumable. Run from the repository root: notebooks-data/self-correction/run.sh
set -e
S=${SAFETYKIT:-.build/release/safetykit}
R=${RUNS:-runs/self-correction}
B=${BASES:-runs/rl-calibration}
mkdir -p "$R"
for seed in 1 2 3; do
  [ -f $B/base-$seed.ckpt ] || $S train --digits 1-3 --steps 1500 --seed $seed --out $B/base-$seed.ckpt --quiet
  for arm in "s3c" "s3c --no-step-mask" "online-rft" "star" "rft"; do
    set -- $arm
    name=$1; [ $# -gt 1 ] && name=s3c-unmasked
    d=$R/$name-$seed
    $S selfimprove --method $arm --base $B/base-$seed.ckpt --digits 1-3 --iterations 2 --pool 100 --heldout 100 --validation 20 \
       --steps 150 --track-calibration --seed $seed --out $d --quiet $([ -f $d/config.json ] && echo --resume)
  done
done
arms=""
for a in s3c s3c-unmasked online-rft star rft; do arms="$arms $a=$R/$a-1,$R/$a-2,$R/$a-3"; done
$S aggregate $arms --out notebooks-data/self-correction --quiet > notebooks-data/self-correction/summary.txt
