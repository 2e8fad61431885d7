#!/usr/bin/env bash
# Usage: scripts/report.sh [--dry-run] RUN_DIR [REPORT_TOOL_ARGS...]
#
# Writes index.html, summary.md and verdict.json into RUN_DIR from the results found there
# (jmh.json so far). Exit code: the report tool's (0 pass, 1 a verdict failed, 2 bad input).
set -euo pipefail
source "$(dirname "$0")/common.sh"

[[ "${1:-}" == -h || "${1:-}" == --help ]] && { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
dry=0; [[ "${1:-}" == --dry-run ]] && { dry=1; shift; }
run="${1:?usage: scripts/report.sh RUN_DIR (see --help)}"; shift
[[ $dry -eq 1 ]] && { echo "would run: java -jar $REPORT_JAR --out $run ..."; exit 0; }
[[ -d "$run" ]] || die "no such run folder: $run"
ensure_built
args=(--out "$run" --title "leakproof run $(basename "$run")")
[[ -f "$run/jmh.json" ]] && args+=(--jmh "$run/jmh.json")
java -jar "$REPORT_JAR" "${args[@]}" "$@"
