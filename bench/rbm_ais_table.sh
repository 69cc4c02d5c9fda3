#!/bin/sh
# AIS test log-likelihoods of RBMs on binarized Fashion-MNIST, the way Salakhutdinov & Murray
# (ICML 2008) report them for MNIST: N = 25 and 500 hidden units trained by CD-1, CD-10 and PCD-1;
# log Z by AIS (15,000 distributions, 100 runs, base rates from the training data), and for
# N = 25 also exactly. Prints one JSON line per model (docs/boltzmann.md has the table).
#   sh bench/rbm_ais_table.sh [build] [epochs] [outdir]
set -e
BUILD=${1:-build}
EPOCHS=${2:-10}
OUT=${3:-runs/ais}
for N in 25 500; do
  for M in "--cd 1" "--cd 10" "--pcd 1 --chains 100"; do
    NAME=$(echo "h$N $M" | tr -d ' -' )
    "$BUILD/gibbs" train-rbm --data fashion-mnist --hidden $N $M --epochs "$EPOCHS" --batch 100 \
      --lr 0.01 --momentum 0.5 --seed 1 --quiet --out "$OUT/$NAME"
    "$BUILD/gibbs" eval-rbm --model "$OUT/$NAME/model.safetensors" --logz ais \
      --data fashion-mnist --json --seed 2 | sed "s/^{/{\"run\": \"$NAME\", \"train\": \"$M\", /"
    if [ "$N" -le 25 ]; then
      "$BUILD/gibbs" eval-rbm --model "$OUT/$NAME/model.safetensors" --logz exact \
        --data fashion-mnist --json | sed "s/^{/{\"run\": \"$NAME\", \"train\": \"$M\", /"
    fi
  done
done
