#!/usr/bin/env bash
# GPU check of the libtorch addon, for a machine with an NVIDIA GPU and a CUDA PyTorch in python3
# but possibly no npm: builds the addon with g++ directly against that torch (LIBTORCH_USE_PYTORCH=1),
# then runs the op checks on cuda:0 (tests/torch/gpu-check.mjs) against the CPU.
# Needs: node (or NODE_XZ=<node binary .xz>), NAPI_INCLUDE=<folder with node_api.h> unless /usr/include/node
# exists, dist/ built (npm run build) and node_modules/node-addon-api.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/gpu-check}
mkdir -p "$out"

if ! command -v node >/dev/null 2>&1; then
  [[ -n ${NODE_XZ:-} ]] || { echo "no node and no NODE_XZ" >&2; exit 1; }
  mkdir -p /tmp/nodebin
  if command -v xz >/dev/null 2>&1; then xz -dc "$NODE_XZ" >/tmp/nodebin/node
  else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$NODE_XZ" /tmp/nodebin/node; fi
  chmod +x /tmp/nodebin/node
  export PATH=/tmp/nodebin:$PATH
fi
echo "node $(node --version)"; nvidia-smi --query-gpu=name,memory.total --format=csv,noheader || true

export LIBTORCH_USE_PYTORCH=1
find=native/torch/find-libtorch.mjs
node "$find" json | tee "$out/libtorch.json"
napi=${NAPI_INCLUDE:-/usr/include/node}
includes=(-I"$napi" -I"$(node -p "require('./node_modules/node-addon-api').include_dir")")
for d in $(node "$find" include); do includes+=(-I"$d"); done
# CUDA runtime headers (c10/cuda includes them): the toolkit's, else those of pip's nvidia packages.
if [[ -d /usr/local/cuda/include ]]; then includes+=(-I/usr/local/cuda/include); fi
for d in $(python3 -c 'import glob, os, nvidia; [print(p) for b in nvidia.__path__ for p in glob.glob(os.path.join(b, "*", "include"))]' 2>/dev/null); do
  includes+=(-I"$d")
done
# PyTorch 2.x headers want C++17 at least, newer ones C++20; our sources compile as either.
std=${CXX_STD:-c++20}
defines=(-DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS -DBUILDING_NODE_EXTENSION)
for d in $(node "$find" defines); do defines+=(-D"$d"); done
libdir=$(node "$find" libdir)
addon=${ADDON_OUT:-native/torch/build/Release/azaion_torch.node}
obj=/tmp/azaion-torch-obj && mkdir -p "$obj" "$(dirname "$addon")"
start=$(date +%s)
pids=()
for src in native/torch/src/*.cc; do
  g++ -c -fPIC -O2 -std="$std" -fexceptions -frtti -w "${defines[@]}" "${includes[@]}" "$src" -o "$obj/$(basename "$src" .cc).o" &
  pids+=($!)
done
failed=0
for p in "${pids[@]}"; do wait "$p" || failed=1; done
((failed == 0)) || { echo "addon compile failed" >&2; exit 1; }
# shellcheck disable=SC2046
g++ -shared -o "$addon" "$obj"/*.o -L"$libdir" $(node "$find" libs) \
  -Wl,-rpath,"$libdir" -Wl,-z,now
echo "built in $(( $(date +%s) - start )) s"

AZAION_GPU_OUT=$out node tests/torch/gpu-check.mjs 2>&1 | tee "$out/gpu-check.log" || true

# Training check (issue 5): yolo11n from scratch at 640 px for 3 epochs on the GPU with the real Trainer.
# Needs node_modules/zod and node_modules/yaml beside dist/ (pure JS).
if [[ ${GPU_TRAIN:-0} == 1 ]]; then
  AZAION_GPU_OUT=$out node tests/torch/gpu-train.mjs 2>&1 | tee "$out/gpu-train.log"
fi
