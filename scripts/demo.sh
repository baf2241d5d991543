#!/usr/bin/env bash
# The main job on the embedded default: set up, then run the whole pipeline that exists
# (synthetic dataset -> validate -> augment -> statistics -> split -> visualisation sheet -> train -> val ->
# YOLO11 weights import -> predict). Args go to `azaion demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node bin/azaion.js demo "$@"
