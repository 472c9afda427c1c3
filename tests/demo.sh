#!/usr/bin/env bash
# demo.sh PROBE [JSON] - start the lab Postfix on 127.0.0.1, probe three of
# its ports (STARTTLS with AUTH after TLS, implicit TLS, plaintext with AUTH
# in clear) with the lab CA, print the text report, write the same as JSON
# to JSON (default: demo-report.json next to PROBE, so in build/) and say
# where, stop the lab.
set -euo pipefail

probe=${1:?usage: demo.sh PATH-TO-smtp-probe [JSON-FILE]}
json=${2:-$(dirname "$probe")/demo-report.json}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/smtp-probe-demo.XXXXXX")
chmod 755 "$dir"
mkdir "$dir/lab"
trap '"$here/lab/lab.sh" stop "$dir/lab" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT

"$here/helpers/lab-start" "$dir/lab" 40000 100 20
# shellcheck disable=SC1091
. "$dir/lab/lab.env"

ports="$LAB_PORT_SUBMISSION,$LAB_PORT_SMTPS/implicit,$LAB_PORT_PLAIN"
args=(--cafile "$LAB_CA" --sni "$LAB_HOST" -p "$ports" 127.0.0.1)
echo "== smtp-probe ${args[*]}"
echo "   (lab Postfix: $LAB_PORT_SUBMISSION submission with STARTTLS," \
    "$LAB_PORT_SMTPS implicit TLS, $LAB_PORT_PLAIN plaintext)"
echo
"$probe" --format text "${args[@]}"
echo
"$probe" --format json -o "$json" "${args[@]}"
echo "== the same as JSON ($(wc -l <"$json") lines) is in $json"
echo "   e.g.: jq '.targets[].probes[] | {port, mode, outcome, findings: [.findings[].id]}' $json"
