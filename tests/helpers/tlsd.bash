# tlsd.bash - the test TLS server (tests/servers/tlsd.c) for .bats files.
# tlsd_pki makes its PKI (tests/servers/tlsd-pki.sh) once per .bats file
# into $TLSD_DIR; tlsd_start NAME ARGS... starts one instance on a port the
# kernel picks, into TLSD_PORT_<NAME> (exported); tlsd_stop NAME stops it.
# Each instance also ends by itself after 300 s (--lifetime), so a test
# that dies early leaves nothing running for long.

TLSD=$ROOT/build/tlsd

# tlsd_pki - the PKI and the OCSP responses, made once per file
tlsd_pki() {
	export TLSD_DIR=$BATS_FILE_TMPDIR/tlsd
	[ -x "$TLSD" ] || make -s -C "$ROOT" tlsd >&2
	[ -f "$TLSD_DIR/rogue-revoked.der" ] ||
	    "$ROOT/tests/servers/tlsd-pki.sh" "$TLSD_DIR" >&2
}

# tlsd_start NAME ARGS... - one instance; CERT names a chain of the PKI
# (aia, noaia, staple, revoked) given as --cert/--key by tlsd_cert
tlsd_start() {
	local name=$1 port_file
	shift
	tlsd_pki
	port_file=$TLSD_DIR/$name.port
	rm -f "$port_file"
	"$TLSD" --port-file "$port_file" --lifetime 300 "$@" \
	    >"$TLSD_DIR/$name.log" 2>&1 3>&- &
	echo $! >"$TLSD_DIR/$name.pid"
	for _ in $(seq 100); do
		[ -f "$port_file" ] && break
		kill -0 "$(cat "$TLSD_DIR/$name.pid")" 2>/dev/null || break
		sleep 0.05
	done
	[ -f "$port_file" ] || {
		cat "$TLSD_DIR/$name.log" >&2
		return 1
	}
	export "TLSD_PORT_$name=$(cat "$port_file")"
}

# tlsd_cert NAME - the --cert and --key arguments of the PKI's NAME
tlsd_cert() {
	echo --cert "$TLSD_DIR/$1.pem" --key "$TLSD_DIR/$1.key"
}

# tlsd_stop NAME - stop one instance and wait for it
tlsd_stop() {
	local pid
	pid=$(cat "$TLSD_DIR/$1.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -f "$TLSD_DIR/$1.pid"
}

# tlsd_probe NAME[/MODE] [ARGS...] - probe instance NAME (STARTTLS by
# default) with the PKI's root as the trust anchor and tlsd.test as SNI
tlsd_probe() {
	local name=${1%%/*} mode=starttls port
	[[ $1 == */* ]] && mode=${1#*/}
	shift
	port=TLSD_PORT_$name
	probe --cafile "$TLSD_DIR/root.pem" --sni tlsd.test \
	    -p "${!port}/$mode" "$@" 127.0.0.1
}
