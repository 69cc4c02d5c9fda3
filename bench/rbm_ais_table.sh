#!/bin/sh
# AIS test log-likelihoods of RBMs on binarized Fashion-MNIST, the way Salakhutdinov & Murray
# (ICML 2008) report them for MNIST: N = 25 and 500 hidden units trained by CD-1, CD-10 and PCD-1;
# log Z by AIS (K distributions, default 15,000, 100 runs, base rates from the training data), and
# for N = 25 also exactly. Prints one JSON line per evaluation, with the wall seconds of training
# ("train_s") and of the evaluation ("eval_s") (docs/boltzmann.md has the table).
#   sh bench/rbm_ais_table.sh [build] [epochs] [outdir] [hidden sizes] [methods]
#   e.g. sh bench/rbm_ais_table.sh build 20 runs/ais "500" "pcd1"
# methods: any of cd1 cd10 pcd1 (default all three). Environment: THREADS (default 1; on a busy
# machine one thread is fastest), AIS_K (default 15000), AIS_RUNS (default 100), EXTRA (more
# train-rbm options, e.g. "--schedule cosine") and TAG (appended to the run names).
set -e
BUILD=${1:-build}
EPOCHS=${2:-10}
OUT=${3:-runs/ais}
HIDDEN=${4:-25 500}
METHODS=${5:-cd1 cd10 pcd1}
THREADS=${THREADS:-1}
AIS_K=${AIS_K:-15000}
AIS_RUNS=${AIS_RUNS:-100}
export OMP_NUM_THREADS=$THREADS OMP_WAIT_POLICY=PASSIVE
for N in $HIDDEN; do
  for METHOD in $METHODS; do
    case $METHOD in
      cd1) M="--cd 1" ;;
      cd10) M="--cd 10" ;;
      pcd1) M="--pcd 1 --chains 100" ;;
      *) echo "unknown method $METHOD (cd1, cd10 or pcd1)" >&2; exit 2 ;;
    esac
    NAME=h$N$METHOD${TAG:-}
    T0=$(date +%s)
    "$BUILD/gibbs" train-rbm --data fashion-mnist --hidden "$N" $M --epochs "$EPOCHS" --batch 100 \
      --lr 0.01 --momentum 0.5 --seed 1 --threads "$THREADS" ${EXTRA:-} --quiet --out "$OUT/$NAME"
    T1=$(date +%s)
    R=$("$BUILD/gibbs" eval-rbm --model "$OUT/$NAME/model.safetensors" --logz ais \
      --ais-distributions "$AIS_K" --ais-runs "$AIS_RUNS" --data fashion-mnist --json --seed 2)
    echo "$R" | sed "s/^{/{\"run\": \"$NAME\", \"train\": \"$M ${EXTRA:-}\", \"epochs\": $EPOCHS, \"train_s\": $((T1 - T0)), \"eval_s\": $(($(date +%s) - T1)), /"
    if [ "$N" -le 25 ]; then
      T2=$(date +%s)
      R=$("$BUILD/gibbs" eval-rbm --model "$OUT/$NAME/model.safetensors" --logz exact \
        --data fashion-mnist --json)
      echo "$R" | sed "s/^{/{\"run\": \"$NAME\", \"train\": \"$M ${EXTRA:-}\", \"epochs\": $EPOCHS, \"eval_s\": $(($(date +%s) - T2)), /"
    fi
  done
done
