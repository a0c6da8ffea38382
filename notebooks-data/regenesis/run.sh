#!/bin/sh
# Issue 21: ReGenesis against STaR from the same generalist bases, in and out of domain.
# For seeds 1-3: a base trained on the mixture of the five tasks (addition, subtraction,
# multiplication by one digit, the modular chain and two-step word problems; 1-3 digits or
# operations, fresh problems, 2500 steps), then STaR and ReGenesis self-trained on addition alone
# from it: STaR for 2 iterations, ReGenesis for 3, its first the guideline stage (demonstrations
# only), so that both take 2 rounds of self-synthesized paths. Every checkpoint of each run (iteration 0 is the base) is then
# evaluated greedily on 100 problems per difficulty of every task, the same problems for every
# checkpoint (eval --seed 7); out of domain means the four tasks other than addition.
# Resumable: finished bases, runs and evaluations are kept.
# Run from the repository root: notebooks-data/regenesis/run.sh
set -e
S=${SAFETYKIT:-.build/release/safetykit}
R=${RUNS:-runs/regenesis}
N=notebooks-data/regenesis
mkdir -p "$R/eval"
common="--task addition --digits 1-3 --seed-set 20 --pool 100 --heldout 100 --validation 20 --steps 150 --quiet"
for seed in 1 2 3; do
  base=$R/mixed-$seed.ckpt
  [ -f $base ] || $S train --task mixed --digits 1-3 --steps 2500 --seed $seed --eval-problems 50 --out $base --quiet
  for method in star regenesis; do
    d=$R/$method-$seed last=2
    [ $method = regenesis ] && last=3
    $S selfimprove --method $method --iterations $last --base $base $common --seed $seed --out $d $([ -f $d/config.json ] && echo --resume)
    for n in $(seq 0 $last); do
      for task in addition subtraction multiplication modchain wordproblem; do
        e=$R/eval/$method-$seed-$n-$task.json
        if [ ! -f $e ]; then
          $S eval --model $d/checkpoints/iteration-$n.ckpt --task $task --digits 1-3 --problems 100 --seed 7 --format json --quiet > $e.tmp
          mv $e.tmp $e
        fi
      done
    done
  done
done
python3 $N/tabulate.py $R/eval > $N/transfer.md
