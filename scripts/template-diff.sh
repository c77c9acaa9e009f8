#!/usr/bin/env bash
# Differential check of the chat-template interpreter (model-runtime's dev.gannet.runtime.template) against
# Python's jinja2 configured as Hugging Face configures it: COUNT random templates (half expressions mixing
# filters, tests, methods and operators; half statements with loops, ifs, sets, macros and whitespace control)
# rendered by both, then compared (object addresses in reprs ignored). Needs Debian's python3-jinja2.
# Usage: scripts/template-diff.sh [SEED] [COUNT] [SHOW]   (SHOW: how many differences to print)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seed=${1:-1}; count=${2:-2000}; show=${3:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mvn -q -B -pl model-runtime -am test-compile >/dev/null
mvn -q -B -pl model-runtime dependency:build-classpath -Dmdep.outputFile="$work/cp.txt" >/dev/null
jdk=${GANNET_JAVA_HOME:-$(ls -d /usr/lib/jvm/*-25-* 2>/dev/null | head -1)}
/usr/bin/python3 scripts/template-diff.py gen "$seed" "$count" "$work/cases.json"
"$jdk/bin/java" -cp "model-runtime/target/test-classes:model-runtime/target/classes:$(cat "$work/cp.txt")" \
  dev.gannet.runtime.template.TemplateDiffMain "$work/cases.json" > "$work/gannet.json"
/usr/bin/python3 scripts/template-diff.py ref "$work/cases.json" "$work/jinja2.json"
/usr/bin/python3 scripts/template-diff.py compare "$work/cases.json" "$work/gannet.json" "$work/jinja2.json" "$show"
