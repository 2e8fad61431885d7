#!/usr/bin/env bash
# Usage: scripts/check-readme.sh [README]
#
# Keeps the README's commands from drifting: every line of a ```sh block that starts with
# "scripts/" is run with --dry-run, which parses and checks all of its options and runs nothing.
# (mvn commands and scripts/suite.sh --quick are run for real by .ci/run.)
# Exit code: 0 when every command was accepted, 1 otherwise.
set -euo pipefail
[[ "${1:-}" == -h || "${1:-}" == --help ]] && { sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
root="$(cd "$(dirname "$0")/.." && pwd)"
readme="${1:-$root/README.md}"
failed=0; checked=0
while IFS= read -r line; do
  cmd="${line%%#*}"                       # drop a trailing comment
  cmd="$(echo "$cmd" | sed 's/[[:space:]]*$//')"
  [[ -n "$cmd" ]] || continue
  read -r -a words <<< "$cmd"
  checked=$((checked + 1))
  if (cd "$root" && "${words[0]}" --dry-run "${words[@]:1}" > /dev/null); then
    echo "ok: $cmd"
  else
    echo "FAILED: $cmd"; failed=1
  fi
done < <(awk '/^```sh/{f=1;next} /^```/{f=0} f' "$readme" | grep -E '^scripts/')
[[ $checked -gt 0 ]] || { echo "no scripts/ command found in $readme"; exit 1; }
exit "$failed"
