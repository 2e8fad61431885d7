#!/usr/bin/env bash
# Usage: scripts/flame.sh [--dry-run] RUN_DIR
#        scripts/flame.sh [--dry-run] JFR_FILE OUT_DIR
#
# Turns a JFR recording into flame graph pages (self-contained HTML) with async-profiler's
# jfr-converter, which is shaded into reports/target/reports.jar (main class one.convert.Main):
#   alloc.html   allocation profile: bytes allocated per stack (--alloc --total, from the JDK's
#                jdk.ObjectAllocationSample / ObjectAllocationInNewTLAB events)
#   cpu.html     CPU profile: execution samples per stack (jdk.ExecutionSample)
# Both use --norm (hidden class and lambda names without their addresses, so that two runs' graphs
# can be compared). A graph whose events the recording lacks is not written. With RUN_DIR, the recording is
# RUN_DIR/soak/soak.jfr (scripts/soak.sh) and the pages go to RUN_DIR/flame/, where
# scripts/report.sh finds and links them.
#   --dry-run    print the converter commands, run nothing
# Exit code: 0 when at least one graph was written, 1 when the recording had no event of either
# kind, 2 on bad usage or a missing recording.
set -euo pipefail
source "$(dirname "$0")/common.sh"

dry=0
case "${1:-}" in
  -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
  --dry-run) dry=1; shift ;;
esac
case $# in
  1) jfr="$1/soak/soak.jfr"; out="$1/flame" ;;
  2) jfr="$1"; out="$2" ;;
  *) die "expected RUN_DIR or JFR_FILE OUT_DIR (see --help)" ;;
esac
[[ $dry -eq 1 || -f "$jfr" ]] || die "no JFR recording at $jfr"

convert() { java -cp "$REPORT_JAR" one.convert.Main "$@"; }
graphs=("alloc|--alloc --total --norm|allocated bytes" "cpu|--norm|CPU samples")
if [[ $dry -eq 1 ]]; then
  for g in "${graphs[@]}"; do
    IFS='|' read -r name opts what <<< "$g"
    echo "would run: java -cp $REPORT_JAR one.convert.Main $opts -o html --title '$(basename "$jfr"): $what' $jfr $out/$name.html"
  done
  exit 0
fi
if [[ ! -f "$REPORT_JAR" ]] || [[ -n "$(find "$LEAKPROOF_ROOT/reports" -path '*/src/main/*' -newer "$REPORT_JAR" -print -quit 2>/dev/null)" ]]; then
  log "building reports.jar (mvn package -pl reports -am, tests skipped)"
  (cd "$LEAKPROOF_ROOT" && mvn -B -q package -DskipTests -Dstress.skip=true -pl reports -am) || die "build failed"
fi
mkdir -p "$out"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
written=0
for g in "${graphs[@]}"; do
  IFS='|' read -r name opts what <<< "$g"
  read -r -a opt_words <<< "$opts"
  # The converter writes an empty graph rather than fail when the events are missing: look first.
  convert "${opt_words[@]}" -o collapsed "$jfr" "$tmp/$name.collapsed" > /dev/null
  if [[ ! -s "$tmp/$name.collapsed" ]]; then
    log "no $what in $jfr: $name.html not written"
    rm -f "$out/$name.html"
    continue
  fi
  convert "${opt_words[@]}" -o html --title "$(basename "$jfr"): $what" "$jfr" "$out/$name.html" > /dev/null
  log "wrote $out/$name.html ($(wc -l < "$tmp/$name.collapsed") distinct stacks)"
  written=$((written + 1))
done
[[ $written -gt 0 ]] || { log "no flame graph written: $jfr has neither allocation nor execution samples"; exit 1; }
