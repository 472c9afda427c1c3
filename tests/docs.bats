#!/usr/bin/env bats
# The documentation matches the code: every finding id of probe/diagnose.c
# is in the README's table, the man page, the schema and tests/findings.bats;
# every option of --help is in the README and the man page; make install
# puts the binary and the man page in place; colour follows the terminal.

setup() {
	load helpers/common
}

# code_ids - the finding ids of diagnose.c's table, one per line
code_ids() {
	tr '\n' ' ' <"$ROOT/probe/diagnose.c" |
	    grep -oE '\{[[:space:]]*"[a-z0-9-]+",[[:space:]]*SEV_[A-Z]+[[:space:]]*\}' |
	    cut -d'"' -f2 | sort
}

@test "every finding id in the code is documented, in the schema and tested" {
	ids=$(code_ids)
	[ "$(wc -l <<<"$ids")" -ge 20 ] || fail "found only: $ids"
	for id in $ids; do
		grep -qF "| \`$id\` |" "$ROOT/README.md" || fail "$id: not in README's findings table"
		grep -qF ".B ${id//-/\\-}" "$ROOT/probe/smtp-probe.1" || fail "$id: not in the man page"
		jq -e --arg id "$id" '."$defs".finding.properties.id.enum | index($id)' \
		    "$ROOT/reports/schema/report.schema.json" >/dev/null || fail "$id: not in the schema"
		grep -qE "^@test \"$id: " "$ROOT/tests/findings.bats" || fail "$id: no test in findings.bats"
	done
}

@test "the README documents no finding id the code lacks, except the reserved ones" {
	readme=$(sed -n 's/^| `\([a-z0-9-]*\)` | \(critical\|warning\|info\).*/\1/p' "$ROOT/README.md" | sort)
	assert_equal "$readme" "$(code_ids)"
}

@test "every option of --help is in the README and the man page" {
	opts=$("$PROBE" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u)
	[ "$(wc -l <<<"$opts")" -ge 15 ] || fail "found only: $opts"
	for o in $opts; do
		grep -qF -- "$o" "$ROOT/README.md" || fail "$o: not in README"
		grep -qF -- "${o//-/\\-}" "$ROOT/probe/smtp-probe.1" || fail "$o: not in the man page"
	done
}

@test "the man page renders without warnings" {
	run bash -c "LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l '$ROOT/probe/smtp-probe.1' 2>&1 >/dev/null"
	assert_success
	assert_output ""
}

@test "make install honours PREFIX and DESTDIR" {
	run make -s -C "$ROOT" install DESTDIR="$BATS_TEST_TMPDIR/dest" PREFIX=/opt/sp
	assert_success
	[ -x "$BATS_TEST_TMPDIR/dest/opt/sp/bin/smtp-probe" ]
	cmp "$ROOT/probe/smtp-probe.1" "$BATS_TEST_TMPDIR/dest/opt/sp/share/man/man1/smtp-probe.1"
	run "$BATS_TEST_TMPDIR/dest/opt/sp/bin/smtp-probe" --version
	assert_success
}

@test "text on a terminal is coloured, and NO_COLOR turns colour off" {
	run script -qec "'$PROBE' --cafile '$LAB_CA' -p '$LAB_PORT_PLAIN' 127.0.0.1" /dev/null
	assert_success
	assert_output --partial $'\033[31m'
	assert_output --partial "banner    "
	run script -qec "NO_COLOR=1 '$PROBE' --cafile '$LAB_CA' -p '$LAB_PORT_PLAIN' 127.0.0.1" /dev/null
	assert_success
	refute_output --partial $'\033['
	assert_output --partial "banner    "
}
