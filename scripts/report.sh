#!/usr/bin/env bash
# Usage: scripts/report.sh [--dry-run] RUN_DIR [REPORT_TOOL_ARGS...]
#
# Writes index.html (self-contained, with charts), summary.md and verdict.json into RUN_DIR from the
# results found there, each passed to the report tool (reports/target/reports.jar, built if missing):
#   RUN_DIR/jmh.json                        --jmh        (scripts/bench.sh)
#   RUN_DIR/soak/samples.jsonl              --soak       (scripts/soak.sh)
#   RUN_DIR/jcstress/summary.json           --jcstress   (scripts/stress.sh)
#   RUN_DIR/jcstress-controls/summary.json  --jcstress   (scripts/stress.sh --controls)
#   RUN_DIR/flame/*.html                    --flame      (scripts/flame.sh)
# REPORT_TOOL_ARGS go to the tool as they are, e.g. --leak-threshold 60MiB/h, --warmup 30m,
# --compare-jmh OTHER_RUN/jmh.json, --reuse-pass 0.5 (all options: java -jar reports/target/reports.jar --help;
# docs/reports.md explains each verdict).
#   --dry-run    print the report tool command, run nothing
# Exit code: the report tool's: 0 every verdict passed, 1 a verdict failed, 2 bad input.
set -euo pipefail
source "$(dirname "$0")/common.sh"

[[ "${1:-}" == -h || "${1:-}" == --help ]] && { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0; }
dry=0; [[ "${1:-}" == --dry-run ]] && { dry=1; shift; }
run="${1:?usage: scripts/report.sh RUN_DIR (see --help)}"; shift
[[ $dry -eq 1 || -d "$run" ]] || die "no such run folder: $run"

args=(--out "$run")
[[ " $* " == *" --title"* ]] || args+=(--title "leakproof run $(basename "$run")") # the caller's title wins
[[ -f "$run/jmh.json" ]] && args+=(--jmh "$run/jmh.json")
[[ -f "$run/soak/samples.jsonl" ]] && args+=(--soak "$run/soak/samples.jsonl")
[[ -f "$run/jcstress/summary.json" ]] && args+=(--jcstress "$run/jcstress")
[[ -f "$run/jcstress-controls/summary.json" ]] && args+=(--jcstress "$run/jcstress-controls")
compgen -G "$run/flame/*.html" > /dev/null && args+=(--flame "$run/flame")
if [[ $dry -eq 1 ]]; then echo "would run: java -jar $REPORT_JAR ${args[*]} $*"; exit 0; fi

# Builds reports.jar alone (not the benchmark and jcstress jars ensure_built also wants) when stale.
if [[ ! -f "$REPORT_JAR" ]] || [[ -n "$(find "$LEAKPROOF_ROOT/reports" -path '*/src/main/*' -newer "$REPORT_JAR" -print -quit 2>/dev/null)" ]]; then
  log "building reports.jar (mvn package -pl reports -am, tests skipped)"
  (cd "$LEAKPROOF_ROOT" && mvn -B -q package -DskipTests -Dstress.skip=true -pl reports -am) || die "build failed"
fi
set +e
java -Djava.awt.headless=true -jar "$REPORT_JAR" "${args[@]}" "$@"
code=$?
set -e
exit "$code"
