#!/usr/bin/env bats
# --check-injection: STARTTLS and NOOP in one write, and the replies inside
# TLS counted. Against tests/servers/tlsd.c in its vulnerable modes (the
# NOOP answered inside TLS at once, or only with the next command, in the
# same TLS record) and its correct mode, and against the lab Postfix, which
# discards what came after STARTTLS (and logs the pipelining it saw).

setup_file() {
	load helpers/common
	load helpers/tlsd
	tlsd_pki
	tlsd_start vulnerable $(tlsd_cert noaia) --vulnerable
	tlsd_start late $(tlsd_cert noaia) --vulnerable --late
	tlsd_start correct $(tlsd_cert noaia)
	tlsd_start implicit $(tlsd_cert noaia) --implicit
	tlsd_start strict $(tlsd_cert noaia) --strict
}

teardown_file() {
	load helpers/common
	load helpers/tlsd
	for n in vulnerable late correct implicit strict; do
		tlsd_stop "$n"
	done
}

setup() {
	load helpers/common
	load helpers/tlsd
}

# what tlsd answers to EHLO inside TLS (tests/servers/tlsd.c, command())
EHLO_TLS='["tlsd.test","SIZE 1000"]'

# lines - the EHLO reply inside TLS, as one JSON line
lines() {
	jq -c '.targets[0].probes[0].ehlo_tls.lines' "$REPORT"
}

@test "vulnerable: the NOOP answered inside TLS, ehlo_tls still EHLO's reply" {
	tlsd_probe vulnerable --check-injection --transcript
	assert_equal "$(p .injection.vulnerable)" true
	assert_equal "$(p .injection.evidence)" "250 2.0.0 Ok"
	assert_equal "$(lines)" "$EHLO_TLS"
	assert_equal "$(p .outcome)" ok
	assert_equal "$(findings)" starttls-injection
	assert_equal "$(p .status)" critical
	# One connection, one write holding both commands.
	assert_equal "$(p '.attempts | length')" 1
	assert_equal "$(p '[.transcript.lines[] | select(.dir == "sent") | .text] | map(select(startswith("STARTTLS"))) | .[0]')" \
	    $'STARTTLS\r\nNOOP'
	# The replies inside TLS ran one behind: 250 came where 221 was due.
	assert_equal "$(p '[.transcript.lines[] | select(.dir == "received") | .text][-1]')" \
	    "221 2.0.0 Bye"
}

@test "vulnerable, answering late: both replies in one TLS record" {
	tlsd_probe late --check-injection
	assert_equal "$(p .injection.vulnerable)" true
	assert_equal "$(p .injection.evidence)" "250 2.0.0 Ok"
	assert_equal "$(lines)" "$EHLO_TLS"
	assert_equal "$(p .error)" null
	assert_equal "$(findings)" starttls-injection
}

@test "correct: the NOOP discarded, every reply inside TLS in step" {
	tlsd_probe correct --check-injection
	assert_equal "$(p .injection.vulnerable)" false
	assert_equal "$(p .injection.evidence)" null
	assert_equal "$(lines)" "$EHLO_TLS"
	assert_equal "$(findings)" ""
	assert_equal "$(p .starttls.trailing_bytes)" 0
}

@test "without --check-injection: no injection key, STARTTLS sent alone" {
	tlsd_probe vulnerable --transcript
	assert_equal "$(p 'has("injection")')" false
	assert_equal "$(p '[.transcript.lines[] | select(.dir == "sent") | .text] | index("STARTTLS") != null')" true
	assert_equal "$(findings)" ""
}

@test "the lab Postfix: not vulnerable; its log counts no NOOP" {
	mark=$(wc -l <"$LAB_MAILLOG")
	lab_probe "$LAB_PORT_MX" --check-injection
	assert_equal "$(p .injection.vulnerable)" false
	assert_equal "$(p .outcome)" ok
	assert_equal "$(findings)" ""
	# Postfix counts the commands it ran when the session ends: the NOOP
	# it threw away with the rest of the input after STARTTLS is not
	# among them (a server that ran it would log noop=1).
	for _ in $(seq 50); do
		line=$(tail -n +"$((mark + 1))" "$LAB_MAILLOG" |
		    grep -m1 ' disconnect from ') && break
		sleep 0.1
	done
	[[ $line == *" ehlo=2 starttls=1 quit=1 commands=4" ]] ||
	    fail "Postfix logged: $line"
	# The same EHLO reply inside TLS as a probe without the check.
	with=$(lines)
	lab_probe "$LAB_PORT_MX"
	assert_equal "$(lines)" "$with"
}

@test "the lab Postfix with --auth-user: the login between EHLO and QUIT counts" {
	export SMTP_PROBE_PASSWORD=$LAB_SASL_PASS
	lab_probe "$LAB_PORT_SUBMISSION" --check-injection \
	    --auth-user "$LAB_SASL_USER@$LAB_SASL_REALM"
	assert_equal "$(p .login.ok)" true
	assert_equal "$(p .injection.vulnerable)" false
}

@test "implicit TLS: the check cannot run, and says why" {
	tlsd_probe implicit/implicit --check-injection
	assert_equal "$(p .injection.vulnerable)" null
	assert_equal "$(p .injection.evidence)" null
	assert_equal "$(p .injection.reason)" "not run: this port speaks implicit TLS, and the check needs a STARTTLS dialogue"
}

@test "STARTTLS not offered, or plain mode: null, with the reason" {
	lab_probe "$LAB_PORT_PLAIN" --check-injection
	assert_equal "$(p .injection.vulnerable)" null
	assert_equal "$(p .injection.reason)" "not run: the server does not offer STARTTLS"
	tlsd_probe correct/plain --check-injection
	assert_equal "$(p .injection.vulnerable)" null
	assert_equal "$(p .injection.reason)" "not run: plain mode never sends STARTTLS"
}

@test "plaintext after the 220, then replies in step: not vulnerable" {
	# hostile.py's STARTTLS_PIPELINED sends 30 bytes after its 220 in
	# clear, as a server that ran the NOOP before the upgrade would.
	hostile_probe STARTTLS_PIPELINED/starttls --check-injection
	assert_equal "$(p .injection.vulnerable)" false
	assert_equal "$(p .starttls.trailing_bytes)" 30
	[[ $(p .injection.reason) == *"may be the NOOP's reply, run before the upgrade" ]]
	assert_equal "$(findings)" starttls-response-injection
	# Nothing of the plaintext reached the EHLO reply inside TLS.
	assert_equal "$(lines)" '["hostile.test","AUTH PLAIN"]'
}

@test "a server that enforces command order refuses the pipelined STARTTLS" {
	tlsd_probe strict --check-injection
	assert_equal "$(p .injection.vulnerable)" null
	[[ $(p .injection.reason) == "not run: STARTTLS (with NOOP after it in the same write) was answered with 554"* ]]
	assert_equal "$(findings)" starttls-rejected
	[[ $(p '.findings[0].message') == *"probe without it to tell."* ]]
	# STARTTLS alone works there.
	tlsd_probe strict
	assert_equal "$(p .starttls.code)" 220
	assert_equal "$(p .tls.established)" true
}

@test "STARTTLS refused: null, with the code" {
	hostile_probe STARTTLS_BIG_REPLY/starttls --check-injection
	assert_equal "$(p .injection.vulnerable)" null
	[[ $(p .injection.reason) == "not run: STARTTLS (with NOOP after it in the same write) was answered with 454"* ]]
	[[ $(p '.findings[0].message') == *"probe without it to tell."* ]]
}

@test "text output: the injection line" {
	text_probe --check-injection --cafile "$TLSD_DIR/root.pem" \
	    --sni tlsd.test -p "$TLSD_PORT_vulnerable/starttls" 127.0.0.1
	grep -E '^ +injection +VULNERABLE: the server answered the NOOP' "$TEXT"
	grep -E '^ +ehlo tls +SIZE 1000$' "$TEXT"
}
