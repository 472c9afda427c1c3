# unbound.bash - what tests/servers/dns.sh and dnssec.sh share (sourced):
# the start of a config for a private unbound on 127.0.0.1 only, and the
# stopping of a daemon by its pid file.

# unbound_server DIR PORT - the server clause every test resolver begins
# with: in the foreground, no privileges dropped, its files in DIR
unbound_server() {
	printf '%s\n' "server:" "	interface: 127.0.0.1" "	port: $2" \
	    "	do-ip6: no" "	do-daemonize: no" '	username: ""' \
	    '	chroot: ""' "	directory: \"$1\"" \
	    "	pidfile: \"$1/unbound.pid\"" "	use-syslog: no" \
	    "	logfile: \"$1/unbound.log\"" "	verbosity: 1" \
	    "	access-control: 127.0.0.0/8 allow"
}

# stop_pid FILE - end the process whose id FILE holds, wait for it (5 s,
# then SIGKILL), and remove FILE; nothing when there is no FILE
stop_pid() {
	local pid
	[[ -f $1 ]] || return 0
	pid=$(cat "$1")
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$1"
}
