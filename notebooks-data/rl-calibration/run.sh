#!/bin/sh
# Issue 18's second reproduction: policy gradient from a base that states its confidence.
# For each seed: a base (SFT), its stated-confidence base, then four arms from it. Resumable:
# finished steps are skipped. Run from the repository root: notebooks-data/rl-calibration/run.sh
set -e
S=${SAFETYKIT:-.build/release/safetykit}
R=${RUNS:-runs/rl-calibration}
mkdir -p "$R"
for seed in 1 2 3 4 5; do
  [ -f $R/base-$seed.ckpt ] || $S train --digits 1-3 --steps 1500 --seed $seed --out $R/base-$seed.ckpt --quiet
  [ -f $R/stated-$seed.ckpt ] || $S confidence --model $R/base-$seed.ckpt --out $R/stated-$seed.ckpt --seed $seed --quiet > $R/stated-$seed.out
  for arm in grpo:binary drgrpo:binary rloo:binary grpo:rlcr; do
    m=${arm%%:*}; r=${arm##*:}; d=$R/$m-$r-$seed
    $S selfimprove --method $m --reward $r --base $R/stated-$seed.ckpt --digits 1-3 --iterations 3 --pool 200 --heldout 100 \
       --validation 20 --prompts 64 --track-calibration --offswitch-probe --probe-source verbalized --seed $seed --out $d --quiet \
       $([ -f $d/config.json ] && echo --resume)
  done
done
arms=""
for a in grpo-binary drgrpo-binary rloo-binary grpo-rlcr; do arms="$arms $a=$R/$a-1,$R/$a-2,$R/$a-3,$R/$a-4,$R/$a-5"; done
$S aggregate $arms --out notebooks-data/rl-calibration --quiet > notebooks-data/rl-calibration/summary.txt
