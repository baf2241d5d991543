#!/usr/bin/env bash
# The whole test suite: set up, then static checks and every test (unit and integration).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "== lint" >&2
./node_modules/.bin/eslint .
echo "== types" >&2
./node_modules/.bin/tsc -p tsconfig.json --noEmit
./node_modules/.bin/tsc -p src-renderer/tsconfig.json --noEmit
./node_modules/.bin/tsc -p src-main/tsconfig.json --noEmit
./node_modules/.bin/tsc -p e2e/tsconfig.json
echo "== format" >&2
./node_modules/.bin/prettier --check . --log-level warn
echo "== tests" >&2
# libtorch and BLAS use one thread in tests: test files run in parallel on few cores.
export OMP_NUM_THREADS=1 AZAION_TORCH__THREADS=1
exec ./node_modules/.bin/vitest run
