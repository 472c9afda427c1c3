#!/usr/bin/env bats
# Behaviours that depend on well-known ports (25, 465), run in a private
# network namespace made for each test (unshare -n), where those ports on
# 127.0.0.1 are free and nothing outside can be reached.

setup() {
	load helpers/common
	unshare -n true 2>/dev/null || skip "network namespaces are not available"
}

# in_netns NAME=PORT... -- ARGS... - probe 127.0.0.1 with ARGS in a new
# network namespace where the hostile server serves behaviour NAME on PORT
# (tests/helpers/in-netns). The report lands in $REPORT as with probe().
in_netns() {
	mkdir -p "$BATS_TEST_TMPDIR/ns"
	REPORT=$BATS_TEST_TMPDIR/report.json
	set +e
	timeout -k 5 60 unshare -n "$ROOT/tests/helpers/in-netns" \
	    "$BATS_TEST_TMPDIR/ns" "$PROBE" "$@" >"$REPORT" \
	    2>"$BATS_TEST_TMPDIR/stderr"
	status=$?
	set -e
	[ "$status" -le 1 ] || fail "exit $status: $(cat "$BATS_TEST_TMPDIR/stderr")"
	[ -s "$REPORT" ] || fail "no report"
	"$VALIDATE" "$REPORT" || fail "the report does not validate"
}

@test "auto on 465 means implicit TLS" {
	in_netns IMPLICIT_ONLY=465 -- --sni hostile.test -p 465
	assert_equal "$(p .requested_mode)" auto
	assert_equal "$(p .mode)" implicit
	assert_equal "$(p .outcome)" ok
	assert_equal "$(p '.banner.lines[0]')" "implicit.test ESMTP"
	assert_equal "$(findings)" ""
	assert_equal "$(p .client_advice.tls)" implicit
}

@test "auto on 465 against plaintext SMTP: detected, the plaintext dialogue recorded" {
	in_netns PLAIN_ON_IMPLICIT=465 -- --sni hostile.test -p 465 --transcript
	assert_equal "$(p .requested_mode)" auto
	assert_equal "$(p .mode)" starttls
	# Two connections: implicit TLS first, answered in plaintext, then
	# STARTTLS; both dialogues are in the transcript.
	assert_equal "$(p '[.attempts[].mode] | join(",")')" implicit,starttls
	assert_equal "$(p '.attempts[0].error.phase + "/" + .attempts[0].error.kind')" handshake/protocol
	assert_equal "$(p '.attempts[1].outcome')" ok
	assert_equal "$(p '[.transcript.lines[].text] | index("reconnecting in starttls mode") != null')" true
	assert_equal "$(p '[.transcript.lines[] | select(.dir == "sent") | .text] | join("|")')" "EHLO smtp-probe.invalid|STARTTLS|EHLO smtp-probe.invalid|QUIT"
	assert_equal "$(p .outcome)" ok
	assert_equal "$(p '.banner.lines[0]')" "plain.test ESMTP"
	assert_equal "$(p .ehlo.code)" 250
	assert_equal "$(p .tls.established)" true
	assert_equal "$(findings)" "auth-before-tls implicit-port-speaks-plaintext"
	assert_equal "$(p '.findings[] | select(.id == "implicit-port-speaks-plaintext") | .severity')" critical
}

@test "auto on 465, plaintext whose STARTTLS then breaks: both are named" {
	in_netns STARTTLS_GARBAGE=465 -- --sni hostile.test --timeout 5 -p 465
	assert_equal "$(p .mode)" starttls
	assert_equal "$(p .error.phase)/$(p .error.kind)" handshake/tls
	assert_equal "$(p '.banner.lines[0]')" "hostile.test ESMTP"
	assert_equal "$(findings)" "handshake-failed implicit-port-speaks-plaintext"
}

@test "the three default ports at once: 25 STARTTLS, 465 implicit, 587 silent" {
	in_netns STARTTLS_OK=25 IMPLICIT_ONLY=465 SILENT=587 -- --sni hostile.test --timeout 4
	assert_equal "$(j '[.targets[0].probes[].port] | join(" ")')" "25 465 587"
	assert_equal "$(j '[.targets[0].probes[].mode] | join(" ")')" "starttls implicit unknown"
	assert_equal "$(findings 0)" ""
	assert_equal "$(findings 1)" ""
	assert_equal "$(findings 2)" banner-timeout
}

@test "starttls-missing on port 25 is a warning" {
	in_netns BARE_LF=25 -- -p 25
	assert_equal "$(p '.findings[] | select(.id == "starttls-missing") | .severity')" warning
}
