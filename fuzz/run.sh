#!/bin/sh
# Builds the libFuzzer harnesses with clang (-fsanitize=fuzzer,address,undefined) and runs them,
# one at a time, on one core. Not part of the CMake build. See docs/fuzzing.md.
#
#   fuzz/run.sh [safetensors|idx|all] [SECONDS]     default: all, 60 seconds each
#   fuzz/run.sh build                               only build
#
# Found inputs go to fuzz/build/corpus-NAME/ (the checked-in seeds in fuzz/corpus/NAME/ are only
# read); a crash is saved as fuzz/build/artifacts/NAME-crash-*, and the script exits non-zero.
set -eu
cd "$(dirname "$0")/.."
CXX=${CXX:-clang++}
command -v "$CXX" >/dev/null || { echo "fuzz/run.sh: $CXX not found (apt-get install clang)" >&2; exit 1; }
mkdir -p fuzz/build/artifacts
FLAGS="-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Iinclude"

build() {
    $CXX $FLAGS fuzz/safetensors_fuzzer.cpp src/io/safetensors.cpp src/io/file.cpp \
        -o fuzz/build/safetensors_fuzzer
    $CXX $FLAGS fuzz/idx_fuzzer.cpp src/data/idx.cpp -lz -o fuzz/build/idx_fuzzer
}

run() {  # NAME SECONDS
    mkdir -p "fuzz/build/corpus-$1"
    "fuzz/build/$1_fuzzer" -max_total_time="$2" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="fuzz/build/artifacts/$1-" \
        "fuzz/build/corpus-$1" "fuzz/corpus/$1"
}

what=${1:-all}
seconds=${2:-60}
build
case $what in
    build) ;;
    safetensors|idx) run "$what" "$seconds" ;;
    all) run safetensors "$seconds"; run idx "$seconds" ;;
    *) echo "usage: fuzz/run.sh [safetensors|idx|all|build] [SECONDS]" >&2; exit 2 ;;
esac
