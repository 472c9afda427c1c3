#!/usr/bin/env bats
# --auth-user against the lab Postfix's Cyrus SASL user (a sasldb): the
# login works after STARTTLS and on the implicit port, a wrong password is
# login-failed, and on a port without TLS nothing is sent, as Postfix's own
# log proves (its disconnect line counts every command a client sent,
# "auth=1" and "auth=0/1" included). The password, and its base64 as PLAIN
# and LOGIN would send it, never reach the report or stderr; a password
# file others may read is refused; the environment variable is gone from
# the running probe's /proc/PID/environ.

setup() {
	load helpers/common
	LOGIN=$LAB_SASL_USER@$LAB_SASL_REALM
	export SMTP_PROBE_PASSWORD=$LAB_SASL_PASS
}

# log_mark - remember where the lab's log ends now
log_mark() {
	MARK=$(wc -l <"$LAB_MAILLOG")
}

# disconnects LISTENER N - wait (5 s at most) until N disconnect lines of
# the lab's listener (mx, submission, smtps, plain) follow the mark, and
# print them; Postfix writes them once it has read QUIT
disconnects() {
	local i lines
	for i in $(seq 50); do
		lines=$(tail -n +"$((MARK + 1))" "$LAB_MAILLOG" |
		    grep -F "postfix-lab/$1/smtpd[" | grep -F ' disconnect from ' || true)
		[ "$(grep -c . <<<"$lines")" -ge "$2" ] && break
		sleep 0.1
	done
	[ "$(grep -c . <<<"$lines")" -ge "$2" ] ||
	    fail "no $2 disconnect lines of $1 in $LAB_MAILLOG: $lines"
	printf '%s\n' "$lines"
}

# sent N - the lines probe N sent, as the transcript shows them, one per line
sent() {
	p '[.transcript.lines[] | select(.dir == "sent") | .text] | join("\n")' "${1:-0}"
}

@test "login: 235 after STARTTLS and on the implicit port, with PLAIN" {
	log_mark
	lab_probe "$LAB_PORT_SUBMISSION,$LAB_PORT_SMTPS/implicit" \
	    --auth-user "$LOGIN" --transcript
	assert_equal "$status" 0
	for i in 0 1; do
		assert_equal "$(p .login.mechanism "$i")" PLAIN
		assert_equal "$(p .login.code "$i")" 235
		assert_equal "$(p .login.ok "$i")" true
		assert_equal "$(p .login.text "$i")" "2.7.0 Authentication successful"
		assert_equal "$(p '[.findings[].id] | index("login-failed")' "$i")" null
	done
	assert_equal "$(p .mode 0)" starttls
	assert_equal "$(p .mode 1)" implicit
	assert_equal "$(sent 0)" $'EHLO client.lab.test\nSTARTTLS\nEHLO client.lab.test\nAUTH PLAIN ****\nQUIT'
	assert_equal "$(sent 1)" $'EHLO client.lab.test\nAUTH PLAIN ****\nQUIT'
	# AUTH after the handshake: the TLS line comes before it.
	assert_equal "$(p '[.transcript.lines[] | .text] | (index("AUTH PLAIN ****") > (map(startswith("TLS established")) | index(true)))')" true
	# Postfix counted one successful AUTH on each listener.
	run disconnects submission 1
	assert_output --partial "ehlo=2 starttls=1 auth=1 quit=1 commands=5"
	run disconnects smtps 1
	assert_output --partial "ehlo=1 auth=1 quit=1 commands=3"
}

@test "login: a wrong password is 535 and login-failed, critical" {
	log_mark
	SMTP_PROBE_PASSWORD=not-the-password lab_probe "$LAB_PORT_SUBMISSION" \
	    --auth-user "$LOGIN" --fail-on critical
	assert_equal "$status" 1
	assert_equal "$(p .login.mechanism)" PLAIN
	assert_equal "$(p .login.code)" 535
	assert_equal "$(p .login.ok)" false
	[[ $(p .login.text) == "5.7.8 "* ]] || fail "text: $(p .login.text)"
	assert_equal "$(findings)" login-failed
	assert_equal "$(p '.findings[0].severity')" critical
	[[ $(p '.findings[0].message') == *"refused with 535"*"user name or the password is wrong"* ]] ||
	    fail "message: $(p '.findings[0].message')"
	assert_equal "$(p .outcome)" ok
	run disconnects submission 1
	assert_output --partial "auth=0/1"
}

@test "login: never on a port without TLS, though it offers AUTH in clear (plain and auto)" {
	for mode in plain auto; do
		log_mark
		lab_probe "$LAB_PORT_PLAIN/$mode" --auth-user "$LOGIN" --transcript
		assert_equal "$(p '.auth.before_tls | join(" ")')" "PLAIN LOGIN"
		assert_equal "$(p .tls)" null
		assert_equal "$(p .login.mechanism)" null
		assert_equal "$(p .login.code)" null
		assert_equal "$(p .login.ok)" false
		assert_equal "$(p .login.text)" "not attempted: TLS was not established on this port, and smtp-probe never sends credentials without it (the server offers AUTH in clear text)"
		assert_equal "$(sent)" $'EHLO client.lab.test\nQUIT'
		# Postfix saw EHLO and QUIT, and no AUTH at all.
		run disconnects plain 1
		assert_output --partial "ehlo=1 quit=1 commands=2"
		refute_output --partial "auth="
	done
}

@test "login: not attempted where TLS offers no AUTH (the MX listener)" {
	log_mark
	lab_probe "$LAB_PORT_MX" --auth-user "$LOGIN" --transcript
	assert_equal "$(p .tls.established)" true
	assert_equal "$(p .auth.after_tls)" '[]'
	assert_equal "$(p .login)" '{
  "mechanism": null,
  "code": null,
  "ok": false,
  "text": "not attempted: the server offers no AUTH inside TLS"
}'
	assert_equal "$(sent)" $'EHLO client.lab.test\nSTARTTLS\nEHLO client.lab.test\nQUIT'
	run disconnects mx 1
	refute_output --partial "auth="
}

@test "login: no login key without --auth-user" {
	lab_probe "$LAB_PORT_SUBMISSION"
	assert_equal "$(p 'has("login")')" false
}

@test "login: the password and its base64 reach neither the report nor stderr" {
	local plain login_pw text
	plain=$(printf '\0%s\0%s' "$LOGIN" "$LAB_SASL_PASS" | base64 -w0)
	login_pw=$(printf '%s' "$LAB_SASL_PASS" | base64 -w0)
	lab_probe "$LAB_PORT_SUBMISSION,$LAB_PORT_SMTPS/implicit,$LAB_PORT_PLAIN" \
	    --auth-user "$LOGIN" --transcript -vv
	assert_equal "$(p .login.code)" 235
	[ -s "$STDERR" ] || fail "-vv wrote nothing on stderr"
	mv "$STDERR" "$BATS_TEST_TMPDIR/stderr-vv"
	text_probe --cafile "$LAB_CA" --sni "$LAB_HOST" -p "$LAB_PORT_SUBMISSION" \
	    --auth-user "$LOGIN" --transcript 127.0.0.1
	grep -qF 'AUTH PLAIN ****' "$TEXT" || fail "no masked AUTH in the text report"
	grep -qF 'login     PLAIN ok, answered 235 2.7.0 Authentication successful' "$TEXT" ||
	    fail "no login line in the text report: $(cat "$TEXT")"
	for f in "$REPORT" "$BATS_TEST_TMPDIR/stderr-vv" "$TEXT" \
	    "$BATS_TEST_TMPDIR/stderr"; do
		for secret in "$LAB_SASL_PASS" "$plain" "$login_pw"; do
			run grep -cF -- "$secret" "$f"
			assert_output 0
		done
	done
}

@test "login: --auth-password-file, private or refused" {
	pw=$BATS_TEST_TMPDIR/pw
	printf '%s\n' "$LAB_SASL_PASS" >"$pw"
	chmod 600 "$pw"
	SMTP_PROBE_PASSWORD=not-the-password lab_probe "$LAB_PORT_SUBMISSION" \
	    --auth-user "$LOGIN" --auth-password-file "$pw"
	assert_equal "$(p .login.code)" 235
	chmod 644 "$pw"
	run "$PROBE" --auth-user "$LOGIN" --auth-password-file "$pw" \
	    -p "$LAB_PORT_SUBMISSION" 127.0.0.1
	assert_equal "$status" 2
	assert_output "smtp-probe: --auth-password-file $pw: readable or writable by group or others (mode 0644): make it private (chmod 600)"
	chmod 620 "$pw"
	run "$PROBE" --auth-user "$LOGIN" --auth-password-file "$pw" 127.0.0.1
	assert_equal "$status" 2
	assert_output --partial "(mode 0620)"
}

@test "login: --auth-user without a password, or a file without --auth-user, is exit 2" {
	run env -u SMTP_PROBE_PASSWORD "$PROBE" --auth-user "$LOGIN" \
	    -p "$LAB_PORT_SUBMISSION" 127.0.0.1
	assert_equal "$status" 2
	assert_output "smtp-probe: --auth-user: no password: set SMTP_PROBE_PASSWORD or give --auth-password-file FILE"
	run "$PROBE" --auth-password-file /dev/null 127.0.0.1
	assert_equal "$status" 2
	assert_output --partial "--auth-password-file needs --auth-user"
	run "$PROBE" --auth-user "" 127.0.0.1
	assert_equal "$status" 2
	assert_output --partial "--auth-user: give a name of 1 to 255 bytes"
}

@test "login: SMTP_PROBE_PASSWORD is gone from the running probe's /proc/PID/environ" {
	[ -z "$WRAP" ] || skip "valgrind shows its own copy of the environment"
	local secret=environ-secret-$RANDOM$RANDOM pid
	# No wrapper: the probe itself is the process looked at. The silent
	# port keeps it running for its --timeout.
	SMTP_PROBE_PASSWORD=$secret "$PROBE" --format json --timeout 4 \
	    --auth-user "$LOGIN" -p "$HOSTILE_PORT_SILENT/starttls" 127.0.0.1 \
	    >"$BATS_TEST_TMPDIR/report.json" 2>&1 &
	pid=$!
	sleep 1
	kill -0 "$pid" || fail "the probe ended before it could be looked at"
	tr '\0' '\n' <"/proc/$pid/environ" >"$BATS_TEST_TMPDIR/environ"
	kill -0 "$pid" || fail "the probe ended while it was looked at"
	wait "$pid" || true
	grep -q '^PATH=' "$BATS_TEST_TMPDIR/environ" || fail "environ not read"
	run grep -cE "$secret|SMTP_PROBE_PASSWORD" "$BATS_TEST_TMPDIR/environ"
	assert_output 0
	"$VALIDATE" "$BATS_TEST_TMPDIR/report.json"
	assert_equal "$(jq -r '.targets[0].probes[0].login.text' "$BATS_TEST_TMPDIR/report.json")" \
	    "not attempted: no SMTP dialogue took place on this port"
}
