#!/usr/bin/env bats
# Behaviours that depend on well-known ports (25, 465), run in a private
# network namespace made for each test (unshare -n), where those ports on
# 127.0.0.1 are free and nothing outside can be reached.

setup() {
	load helpers/common
	unshare -n true 2>/dev/null || skip "network namespaces are not available"
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

@test "465 in plaintext without STARTTLS: no advice to use STARTTLS" {
	in_netns BARE_LF=465 -- -p 465
	assert_equal "$(p .mode)" plain
	msg=$(p '.findings[] | select(.id == "implicit-port-speaks-plaintext") | .message')
	[[ $msg == *"offers no STARTTLS either"* ]] || fail "$msg"
	[[ $msg != *"use STARTTLS"* ]] || fail "$msg"
}

# The seeds' host: 465 speaks plaintext with STARTTLS, 587 implicit TLS.
@test "465 and 587 swapped: ports-swapped, critical, in the target, within 3 s" {
	in_netns PLAIN_ON_IMPLICIT=465 IMPLICIT_ONLY=587 -- --sni hostile.test \
	    -p 465,587 --fail-on critical
	assert_equal "$status" 1
	assert_equal "$(findings 0)" "auth-before-tls implicit-port-speaks-plaintext"
	assert_equal "$(findings 1)" port-expects-implicit-tls
	assert_equal "$(j '[.targets[0].findings[] | "\(.id):\(.severity)"] | join(" ")')" \
	    ports-swapped:critical
	msg=$(j '.targets[0].findings[0].message')
	[[ $msg == *"port 587 with SSL/TLS on connect"* ]] || fail "$msg"
	[[ $msg == *"port 465 with STARTTLS"* ]] || fail "$msg"
	# Each port's own finding says only what that port does.
	[[ $(p '.findings[0].message' 1) != *"587 with STARTTLS"* ]] ||
	    fail "587 is told to use 587"
	assert_equal "$(j .summary.failed)" true
	# The run's own clock: auto mode tries implicit TLS after 1.5 s.
	limit=3000
	[ -z "$WRAP" ] || limit=6000
	[ "$(j .duration_ms)" -le "$limit" ] ||
	    fail "diagnosed in $(j .duration_ms) ms"
}

@test "465 and 587 swapped, as text: each port as it ends, then the host" {
	in_netns PLAIN_ON_IMPLICIT=465 IMPLICIT_ONLY=587 -- --sni hostile.test \
	    -p 587,465 --format text
	assert_equal "$status" 0
	# 465 answers at once, 587 after the implicit attempt: they come in
	# the order they finish, and the host's verdict after both.
	order=$(grep -oE '^  \[[A-Z ]+\] (port [0-9]+|the target as a whole)' "$REPORT" |
	    sed 's/^  \[[A-Z ]*\] //' | paste -sd,)
	assert_equal "$order" "port 465,port 587,the target as a whole"
	grep -q "critical ports-swapped: Ports 465 and 587 are swapped" "$REPORT" ||
	    fail "$(cat "$REPORT")"
}
