#!/usr/bin/env bash
# Every row of issue 13's table (now, anchor in the same run, goal): see bench/run_all.py.
#   bench/run_all.sh [--quick]
# Needs the project's .venv and ../shared/tools/keylat.py beside the repository. Not part of the test run.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
exec "$here/.venv/bin/python" bench/run_all.py "$@"
