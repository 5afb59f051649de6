#!/usr/bin/env bash
# Keystroke latency and bytes per key in the Sales Invoice item grid (DESIGN §14).
#
# Opens the demo shop in a pseudo-terminal of 80×24, signs in as the cashier,
# opens Sales Invoice (Facture) from the Ctrl+K palette (it starts on the walk-in
# customer CASH, the cursor in the item cell: DESIGN §12 "Counter flow"), picks
# item PARA500 (Enter lands in the Qty cell), then types a digit and Backspace
# into the Qty cell COUNT times: every key changes the line's figures, the
# detail strip and the whole totals footer (in-memory core totals, no database).
#
#   bench/keylat_invoice.sh            # 40 rounds (80 key presses)
#   COUNT=100 bench/keylat_invoice.sh --json
#
# Needs ../shared/tools/keylat.py beside the repository (or KEYLAT=path). The demo database is a
# fresh temporary file; nothing else is touched.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
keylat="${KEYLAT:-$here/../shared/tools/keylat.py}"
if [[ -z "${KEYLAT:-}" && ! -f "$keylat" ]]; then  # a git worktree elsewhere: its main checkout's ../shared
    keylat="$(dirname "$(git -C "$here" rev-parse --path-format=absolute --git-common-dir)")/../shared/tools/keylat.py"
fi
shopterm="${SHOPTERM:-$here/.venv/bin/shopterm}"
count="${COUNT:-40}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$shopterm" demo --db "$tmp/demo.db" --no-tui >/dev/null
# --quiet 250: each setup key waits for 250 ms of silence, so the client and the
# item are loaded (first use imports the sales service) before measuring starts;
# the figures are the time of the first and the last byte, not the silence.
python3 "$keylat" --cols 80 --rows 24 --timeout 60 --quiet "${QUIET:-250}" \
    --ready "Sign in" \
    --setup 'cashier\r1111\r\x0bFacture\rPARA500\r' \
    --key '5\x7f' --count "$count" "$@" \
    -- "$shopterm" demo --db "$tmp/demo.db"
