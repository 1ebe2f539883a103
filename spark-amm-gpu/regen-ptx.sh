#!/usr/bin/env bash
# Regenerates the committed PTX (src/main/resources/org/sparkamm/gpu/*.ptx) from src/main/cuda/*.cu.
# PTX for virtual architecture compute_80 (the DMMA instruction needs sm_80), *_sm90.cu for compute_90
# (Hopper's m16n8k16 f64 mma): the driver JIT-compiles it for the GPU it runs on (A100, H100, H200, later). The PTX ISA version is nvcc's (9.0 for CUDA 13),
# which needs a CUDA 13 driver (>= 580); set NVCC to an older nvcc to target older drivers.
# Usage: spark-amm-gpu/regen-ptx.sh [output-dir]   (default: the resource folder)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/src/main/resources/org/sparkamm/gpu}"
nvcc="${NVCC:-nvcc}"
mkdir -p "$out"
for cu in "$here"/src/main/cuda/*.cu; do
  arch=compute_80
  [[ "$cu" == *_sm90.cu ]] && arch=compute_90
  "$nvcc" -std=c++17 -O3 -arch=$arch -ptx "$cu" -o "$out/$(basename "${cu%.cu}").ptx"
done
