#!/usr/bin/env bash
# Keystroke latency of the Sales Invoice item grid, per kind of key, with a bare
# Textual Input measured in the same run as the anchor (bench/keylat_grid.py).
#
#   bench/keylat_grid.sh                     # 25 lines, 40 rounds in the 25th Qty
#   GRID_LINES=10 ROUNDS=20 bench/keylat_grid.sh --json
#
# Finds keylat.py at ../shared/tools/keylat.py from the repository root (KEYLAT=path
# overrides). The demo database is a fresh temporary file; nothing else is touched.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$here/.venv/bin/python}"
exec "$python" "$here/bench/keylat_grid.py" "$@"
