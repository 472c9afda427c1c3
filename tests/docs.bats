#!/usr/bin/env bats
# The documentation matches the code: the findings table of
# include/findings.h (the one definition of every id, its severity and its
# README text) is the README's findings table, and every id in it is in the
# man page, the schema and tests/findings.bats; every option of --help is in
# the README and the man page; make install puts the binary, the man page,
# the README, the schema and the bash completion in place, and the
# completion offers what the binary takes; colour follows the terminal.

setup() {
	load helpers/common
}

# table - one line per F(...) of include/findings.h, in order, fields
# separated by a TAB: id, severity, milder severity, note, what it means,
# what to do. Read as text (the binary carries no README text): line
# continuations dropped, adjacent string literals joined.
table() {
	sed -n '/^#define FINDINGS(/,/^\/\* clang-format on/p' \
	    "$ROOT/include/findings.h" | sed 's/\\$//' | tr '\n\t' '  ' |
	    sed -E 's/"[[:space:]]+"//g' |
	    grep -oE 'F\(F_[A-Z0-9_]+,[[:space:]]*"[^"]*",[[:space:]]*SEV_[A-Z]+,[[:space:]]*SEV_[A-Z]+,[[:space:]]*"[^"]*",[[:space:]]*"[^"]*",[[:space:]]*"[^"]*"\)' |
	    awk -F'"' '{
		split($3, sev, /[ ,]+/)
		printf "%s\t%s\t%s\t%s\t%s\t%s\n", $2,
		    tolower(substr(sev[2], 5)), tolower(substr(sev[3], 5)),
		    $4, $6, $8
	    }'
}

# code_ids - the finding ids of the table, one per line, sorted
code_ids() {
	table | cut -f1 | sort
}

@test "the findings table of include/findings.h is read whole" {
	n=$(grep -c '^[[:space:]]*F(F_' "$ROOT/include/findings.h")
	[ "$n" -ge 20 ] || fail "found only $n entries"
	assert_equal "$(table | wc -l)" "$n"
	# A milder severity is one the README's note names, and a note
	# speaks of a milder severity.
	run awk -F'\t' '($2 != $3 && index($4, $3) == 0) || ($2 == $3 && $4 != "") {
		print $1 ": severity " $2 ", milder " $3 ", note \"" $4 "\""; bad = 1
	    } END { exit bad }' < <(table)
	assert_success
}

@test "the README's findings table is the one of include/findings.h" {
	want=$(table | awk -F'\t' '{ printf "| `%s` | %s%s | %s | %s |\n", $1, $2, $4, $5, $6 }')
	got=$(grep -E '^\| `[a-z0-9-]+` \| (critical|warning|info)' "$ROOT/README.md")
	assert_equal "$got" "$want"
}

@test "every finding id in the code is documented, in the schema and tested" {
	ids=$(code_ids)
	[ "$(wc -l <<<"$ids")" -ge 20 ] || fail "found only: $ids"
	while IFS=$'\t' read -r id sev _; do
		grep -qF ".B ${id//-/\\-}" "$ROOT/probe/smtp-probe.1" || fail "$id: not in the man page"
		jq -e --arg id "$id" '."$defs".finding.properties.id.enum | index($id)' \
		    "$ROOT/reports/schema/report.schema.json" >/dev/null || fail "$id: not in the schema"
		grep -qE "^@test \"$id: " "$ROOT/tests/findings.bats" || fail "$id: no test in findings.bats"
		grep -qE "^[[:space:]]*finding $id $sev " "$ROOT/tests/findings.bats" ||
		    fail "$id: findings.bats never checks it at $sev"
	done < <(table)
}

@test "the README documents no finding id the code lacks, except the reserved ones" {
	readme=$(sed -n 's/^| `\([a-z0-9-]*\)` | \(critical\|warning\|info\).*/\1/p' "$ROOT/README.md" | sort)
	assert_equal "$readme" "$(code_ids)"
}

# reserved_ids - the ids the README reserves for checks not implemented yet
reserved_ids() {
	sed -n '/^Reserved for deeper checks/,/^$/p' "$ROOT/README.md" |
	    grep -oE '`[a-z0-9-]+`' | tr -d '`' | sort
}

@test "the schema and the man page name no finding id the code lacks" {
	assert_equal "$(comm -12 <(reserved_ids) <(code_ids))" ""
	schema=$(jq -r '."$defs".finding.properties.id.enum[]' "$ROOT/reports/schema/report.schema.json" | sort)
	assert_equal "$schema" "$( (code_ids; reserved_ids) | sort)"
	man=$(sed -n '/^\.SH FINDINGS/,/^\.SH /s/^\.B \(.*\)/\1/p' "$ROOT/probe/smtp-probe.1" | sed 's/\\-/-/g' | sort)
	assert_equal "$man" "$(code_ids)"
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
	d=$BATS_TEST_TMPDIR/dest/opt/sp
	[ -x "$d/bin/smtp-probe" ]
	cmp "$ROOT/probe/smtp-probe.1" "$d/share/man/man1/smtp-probe.1"
	cmp "$ROOT/README.md" "$d/share/doc/smtp-probe/README.md"
	cmp "$ROOT/reports/schema/report.schema.json" "$d/share/doc/smtp-probe/report.schema.json"
	cmp "$ROOT/probe/smtp-probe.bash-completion" "$d/share/bash-completion/completions/smtp-probe"
	run "$d/bin/smtp-probe" --version
	assert_success
	# Nothing else, and nothing outside PREFIX.
	run bash -c "cd '$BATS_TEST_TMPDIR/dest' && find . -type f | sort"
	assert_output "./opt/sp/bin/smtp-probe
./opt/sp/share/bash-completion/completions/smtp-probe
./opt/sp/share/doc/smtp-probe/README.md
./opt/sp/share/doc/smtp-probe/report.schema.json
./opt/sp/share/man/man1/smtp-probe.1"
}

# complete WORDS... - what the bash completion offers for the last word,
# one per line, as bash would with the completion of the tree loaded
complete_words() {
	bash -c '
		source /usr/share/bash-completion/bash_completion
		source "$1"
		compopt() { :; }
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="${COMP_WORDS[*]}"
		COMP_POINT=${#COMP_LINE}
		_smtp_probe "$PROBE" "${COMP_WORDS[COMP_CWORD]}" \
		    "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort' \
	    complete "$ROOT/probe/smtp-probe.bash-completion" "$@"
}

@test "bash completion: severities, formats, port modes, options, files" {
	export PROBE
	run complete_words smtp-probe --fail-on ""
	assert_output "$(printf '%s\n' critical info warning)"
	run complete_words smtp-probe --fail-on=w
	assert_output warning
	# The formats are the ones the binary accepts, as its message lists.
	formats=$("$PROBE" --format x 127.0.0.1 2>&1 | sed -n 's/.*": use //p' | tr -d , | tr ' ' '\n' | sort)
	[ "$(wc -l <<<"$formats")" -ge 3 ] || fail "formats: $formats"
	run complete_words smtp-probe --format ""
	assert_output "$formats"
	for f in $formats; do
		"$PROBE" --format "$f" --help >/dev/null || fail "--format $f refused"
	done
	run complete_words smtp-probe -p 25,465/
	assert_output "$(printf '25,465/%s\n' auto implicit plain starttls)"
	run complete_words smtp-probe --ports 58
	assert_output 587
	# Every option of --help, and nothing else.
	run complete_words smtp-probe --
	assert_output "$("$PROBE" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u)"
	run complete_words smtp-probe --client-k
	assert_output --client-key
	mkdir "$BATS_TEST_TMPDIR/certs" && touch "$BATS_TEST_TMPDIR/certs/ca.pem"
	run complete_words smtp-probe --cafile "$BATS_TEST_TMPDIR/certs/c"
	assert_output "$BATS_TEST_TMPDIR/certs/ca.pem"
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
