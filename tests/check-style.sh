#!/usr/bin/env bash
# check-style.sh - the mechanical part of STYLE.md: clang-format with the
# project's .clang-format, and the banned C functions (each has a bounded
# or checked replacement: snprintf, strtol with an end pointer, ...).
set -uo pipefail
cd "$(dirname "$0")/.."

files=$(git ls-files '*.c' '*.h')
rc=0
for f in $files; do
	if ! clang-format --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "check-style: $f is not clang-formatted (clang-format -i $f)"
		rc=1
	fi
done
banned='strcpy|strcat|strncpy|sprintf|vsprintf|gets|strtok|atoi|atol|sscanf|system|popen'
# A call is the name, not preceded by a letter, digit, '_' or '.', and '('.
if grep -nE "(^|[^A-Za-z0-9_.])($banned)[[:space:]]*\(" $files |
    grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/?\*|//)'; then
	echo "check-style: banned function(s) above"
	rc=1
fi
[ "$rc" -eq 0 ] && echo "check-style: ok"
exit "$rc"
