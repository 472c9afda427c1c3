#!/usr/bin/env bash
# Test lab for smtp-probe: a throw-away PKI plus one private Postfix instance
# listening on 127.0.0.1 only, with one smtpd listener per TLS scenario.
#
#   tests/lab/lab.sh start DIR   DIR: an empty directory made by the caller
#   tests/lab/lab.sh stop DIR    safe to repeat, and after a failed start
#
# start writes DIR/lab.env (KEY='value' lines, sourceable by bash) and
# DIR/maillog (Postfix's log). Ports are LAB_PORT_BASE+0..+7 (default 30025);
# +8 and +9 are reserved. LAB_PROCESS_LIMIT (default 100, Postfix's own)
# caps the smtpd processes per listener, hence the connections served at
# once: the benchmark raises it. Needs root, postfix, sasl2-bin, gnutls-bin.
# LAB_PORT25=1 adds port 25 on two more loopback addresses, for mail
# domains whose MX host has both: 127.0.0.2 like MX (STARTTLS) and
# 127.0.0.3 without STARTTLS. Only inside a network namespace of its own
# (tests/dns.bats), where port 25 is free.
# LAB_TLS_PROTOCOLS (default ">=TLSv1.2") sets smtpd_tls_protocols and
# smtpd_tls_mandatory_protocols; LAB_TLS_SECLEVEL=0 appends @SECLEVEL=0 to
# the cipher list, which OpenSSL 3 needs to offer TLS 1.0 and 1.1 at all
# (its default level 1 refuses their SHA-1 signatures).
#
#   tests/lab/lab.sh set DIR NAME=VALUE...   change main.cf of a running
#                                             lab and reload it
set -euo pipefail

readonly LAB_HOST=mail.lab.test
readonly LAB_BANNER="$LAB_HOST ESMTP smtp-probe-lab"
readonly SASL_REALM=lab.test SASL_USER=probe SASL_PASS=lab-secret
readonly SERVICES=(MX SUBMISSION SMTPS PLAIN EXPIRED SELFSIGNED WRONGNAME NOINTER)
readonly DEFAULT_CONF=/etc/postfix
# Serialises edits of the default main.cf between concurrent labs.
readonly LOCK=/run/lock/smtp-probe-lab.lock
TEMPLATES=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/certs
readonly TEMPLATES

die() { echo "lab.sh: $*" >&2; exit 1; }

# Run a noisy tool; show its output only when it fails.
quiet() {
    local out
    out=$("$@" 2>&1) || { printf '%s\n' "$out" >&2; die "failed: $*"; }
}

# Postfix re-reads a config file until its mtime is ~2 s old ("cool down"),
# which would add 2 s per freshly written main.cf. Ours are written in one go
# (postconf -e renames atomically), so backdate them.
cool_down() {
    touch -d "@$(($(date +%s) - 5))" "$@"
}

# Sets DIR (absolute), CONF (the instance's config directory) and PKI.
set_paths() {
    DIR=$(realpath -m -- "$1")
    CONF=$DIR/postfix
    PKI=$DIR/pki
}

port_of() {   # port_of SERVICE -> LAB_PORT_BASE + index in SERVICES
    local i
    for i in "${!SERVICES[@]}"; do
        [[ ${SERVICES[i]} == "$1" ]] && { echo $((PORT_BASE + i)); return; }
    done
    die "unknown service $1"
}

# `postfix -c CONF` refuses (silently) unless the default instance lists CONF
# in alternate_config_directories. $1 = add|remove; the list is edited in place.
edit_alternate_dirs() {
    local action=$1 fd current entry
    local -a list keep=()
    mkdir -p "${LOCK%/*}"
    exec {fd}>"$LOCK"
    flock -w 30 "$fd" || die "cannot lock $LOCK"
    if [[ ! -f $DEFAULT_CONF/main.cf ]]; then
        if [[ $action == add ]]; then
            printf '%s\n' '# Minimal default instance, created by smtp-probe tests/lab/lab.sh' \
                'compatibility_level = 3.6' >"$DEFAULT_CONF/main.cf"
        fi
    fi
    if [[ -f $DEFAULT_CONF/main.cf ]]; then
        current=$(postconf -c "$DEFAULT_CONF" -h alternate_config_directories)
        IFS=$', \t' read -ra list <<<"$current"
        # Entries whose directory is gone were left by a lab killed
        # before it could stop: they go too.
        for entry in "${list[@]}"; do
            [[ $entry == "$CONF" || ! -d $entry ]] || keep+=("$entry")
        done
        [[ $action == add ]] && keep+=("$CONF")
        if [[ "${keep[*]}" != "${list[*]}" ]]; then
            if ((${#keep[@]})); then
                postconf -c "$DEFAULT_CONF" -e "alternate_config_directories = ${keep[*]}"
            else
                postconf -c "$DEFAULT_CONF" -X alternate_config_directories
            fi
            cool_down "$DEFAULT_CONF/main.cf"
        fi
    fi
    exec {fd}>&-
}

make_pki() {
    local name tmpl expired_tmpl=$PKI/expired.tmpl
    mkdir -p "$PKI"
    # Keys stay root-only: smtpd loads them as root before dropping privileges.
    for name in root inter good expired selfsigned wrongname; do
        quiet certtool --generate-privkey --key-type ecdsa --curve secp256r1 \
            --no-text --outfile "$PKI/$name.key"
        chmod 600 "$PKI/$name.key"
    done

    quiet certtool --generate-self-signed --hash SHA256 --no-text \
        --load-privkey "$PKI/root.key" --template "$TEMPLATES/root-ca.tmpl" \
        --outfile "$PKI/root.pem"
    quiet certtool --generate-certificate --hash SHA256 --no-text \
        --load-privkey "$PKI/inter.key" --template "$TEMPLATES/intermediate-ca.tmpl" \
        --load-ca-certificate "$PKI/root.pem" --load-ca-privkey "$PKI/root.key" \
        --outfile "$PKI/intermediate.pem"

    # The expiry must be relative to today, so its dates are added here.
    cp "$TEMPLATES/expired.tmpl" "$expired_tmpl"
    printf 'activation_date = "%s"\nexpiration_date = "%s"\n' \
        "$(date -u -d '-375 days' '+%Y-%m-%d %H:%M:%S')" \
        "$(date -u -d '-10 days' '+%Y-%m-%d %H:%M:%S')" >>"$expired_tmpl"

    for name in good expired wrongname; do
        tmpl=$TEMPLATES/$name.tmpl
        [[ $name == expired ]] && tmpl=$expired_tmpl
        quiet certtool --generate-certificate --hash SHA256 --no-text \
            --load-privkey "$PKI/$name.key" --template "$tmpl" \
            --load-ca-certificate "$PKI/intermediate.pem" --load-ca-privkey "$PKI/inter.key" \
            --outfile "$PKI/$name.pem"
    done
    quiet certtool --generate-self-signed --hash SHA256 --no-text \
        --load-privkey "$PKI/selfsigned.key" --template "$TEMPLATES/selfsigned.tmpl" \
        --outfile "$PKI/selfsigned.pem"

    # What each listener serves (smtpd_tls_chain_files: key, leaf, then chain).
    (
        umask 077
        cat "$PKI/good.key" "$PKI/good.pem" "$PKI/intermediate.pem" >"$PKI/serve-good.pem"
        cat "$PKI/good.key" "$PKI/good.pem" >"$PKI/serve-nointer.pem"
        cat "$PKI/expired.key" "$PKI/expired.pem" "$PKI/intermediate.pem" >"$PKI/serve-expired.pem"
        cat "$PKI/wrongname.key" "$PKI/wrongname.pem" "$PKI/intermediate.pem" >"$PKI/serve-wrongname.pem"
        cat "$PKI/selfsigned.key" "$PKI/selfsigned.pem" >"$PKI/serve-selfsigned.pem"
    )
}

# Debian's smtpd looks for CONF/sasl/smtpd.conf whatever cyrus_sasl_config_path
# says, so the SASL files live there and main.cf points at the same place.
make_sasl() {
    mkdir -p "$CONF/sasl"
    cat >"$CONF/sasl/smtpd.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
mech_list: PLAIN LOGIN
sasldb_path: $CONF/sasl/sasldb2
EOF
    printf '%s' "$SASL_PASS" |
        saslpasswd2 -p -c -f "$CONF/sasl/sasldb2" -u "$SASL_REALM" "$SASL_USER"
    # smtpd reads the sasldb as the postfix user, at AUTH time.
    chgrp postfix "$CONF/sasl/sasldb2"
    chmod 640 "$CONF/sasl/sasldb2"
    # Otherwise AUTH fails only later, with a bare "generic failure".
    runuser -u postfix -- test -r "$CONF/sasl/sasldb2" ||
        die "the postfix user cannot reach $DIR: make every parent directory searchable (chmod 755)"
}

make_postfix_config() {
    mkdir -p "$CONF"
    # postfix chdirs into the queue before creating its subdirectories, and
    # data_directory must belong to the mail owner.
    install -d -m 755 "$DIR/queue"
    install -d -o postfix -g postfix -m 700 "$DIR/data"
    cat >"$CONF/main.cf" <<EOF
# Private smtp-probe lab instance, generated by tests/lab/lab.sh.
compatibility_level = 3.6
queue_directory = $DIR/queue
data_directory = $DIR/data
# No syslogd on these machines: log to a file that tests can read.
maillog_file_prefixes = $DIR
maillog_file = $DIR/maillog
syslog_name = postfix-lab

myhostname = $LAB_HOST
mydomain = lab.test
smtpd_banner = $LAB_BANNER
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
biff = no
# The client is 127.0.0.1: no reverse lookup of it, so no DNS ever.
smtpd_peername_lookup = no
# smtpd processes per listener, and its listen backlog: connections beyond
# it wait for SYN retries.
default_process_limit = $PROCESS_LIMIT

# Never deliver: only authenticated clients may relay, into the discard transport.
mydestination =
relay_domains =
local_recipient_maps =
alias_maps =
alias_database =
mynetworks = 127.0.0.1/32
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
default_transport = discard
relay_transport = discard

# TLS defaults (listeners in master.cf override level and certificate).
smtpd_tls_security_level = may
smtpd_tls_chain_files = $PKI/serve-good.pem
smtpd_tls_protocols = $TLS_PROTOCOLS
smtpd_tls_mandatory_protocols = $TLS_PROTOCOLS
$(seclevel_setting)
smtpd_tls_loglevel = 1

# AUTH via Cyrus SASL and a sasldb; switched on per listener in master.cf.
smtpd_sasl_auth_enable = no
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = $CONF/sasl
smtpd_sasl_local_domain = $SASL_REALM
EOF

    # chroot column "n" so smtpd can reach files under DIR.
    cat >"$CONF/master.cf" <<EOF
# service             type  private unpriv chroot wakeup maxproc command + args
127.0.0.1:$(port_of MX) inet n - n - - smtpd
  -o syslog_name=postfix-lab/mx
127.0.0.1:$(port_of SUBMISSION) inet n - n - - smtpd
  -o syslog_name=postfix-lab/submission
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=yes
127.0.0.1:$(port_of SMTPS) inet n - n - - smtpd
  -o syslog_name=postfix-lab/smtps
  -o smtpd_tls_wrappermode=yes
  -o smtpd_tls_security_level=encrypt
  -o smtpd_sasl_auth_enable=yes
127.0.0.1:$(port_of PLAIN) inet n - n - - smtpd
  -o syslog_name=postfix-lab/plain
  -o smtpd_tls_security_level=none
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=no
127.0.0.1:$(port_of EXPIRED) inet n - n - - smtpd
  -o syslog_name=postfix-lab/expired
  -o smtpd_tls_chain_files=$PKI/serve-expired.pem
127.0.0.1:$(port_of SELFSIGNED) inet n - n - - smtpd
  -o syslog_name=postfix-lab/selfsigned
  -o smtpd_tls_chain_files=$PKI/serve-selfsigned.pem
127.0.0.1:$(port_of WRONGNAME) inet n - n - - smtpd
  -o syslog_name=postfix-lab/wrongname
  -o smtpd_tls_chain_files=$PKI/serve-wrongname.pem
127.0.0.1:$(port_of NOINTER) inet n - n - - smtpd
  -o syslog_name=postfix-lab/nointer
  -o smtpd_tls_chain_files=$PKI/serve-nointer.pem

$(port25_listeners)
# Internal services smtpd and the (discarding) queue need.
cleanup   unix  n - n - 0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n - - trivial-rewrite
bounce    unix  - - n - 0 bounce
defer     unix  - - n - 0 bounce
trace     unix  - - n - 0 bounce
verify    unix  - - n - 1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n - - proxymap
anvil     unix  - - n - 1 anvil
discard   unix  - - n - - discard
error     unix  - - n - - error
retry     unix  - - n - - error
postlog   unix-dgram n - n - 1 postlogd
EOF
    cool_down "$CONF/main.cf" "$CONF/master.cf"
}

# With LAB_TLS_SECLEVEL=0: Postfix's own cipher list at OpenSSL level 0.
seclevel_setting() {
    [[ ${LAB_TLS_SECLEVEL:-} == 0 ]] || return 0
    echo "tls_medium_cipherlist = $(postconf -dh tls_medium_cipherlist):@SECLEVEL=0"
}

# With LAB_PORT25=1: 127.0.0.2:25 as MX, 127.0.0.3:25 without STARTTLS.
port25_listeners() {
    [[ ${LAB_PORT25:-} == 1 ]] || return 0
    printf '%s\n' '127.0.0.2:25 inet n - n - - smtpd' \
        '  -o syslog_name=postfix-lab/mx25' \
        '127.0.0.3:25 inet n - n - - smtpd' \
        '  -o syslog_name=postfix-lab/plain25' \
        '  -o smtpd_tls_security_level=none'
}

write_env() {
    local svc
    {
        echo "# smtp-probe lab instance, generated by tests/lab/lab.sh; source this file."
        printf "%s='%s'\n" \
            LAB_DIR "$DIR" \
            LAB_CA "$PKI/root.pem" \
            LAB_HOST "$LAB_HOST" \
            LAB_BANNER "$LAB_BANNER"
        for svc in "${SERVICES[@]}"; do
            printf "LAB_PORT_%s='%s'\n" "$svc" "$(port_of "$svc")"
        done
        printf "%s='%s'\n" \
            LAB_CERT_GOOD "$PKI/good.pem" \
            LAB_CERT_INTER "$PKI/intermediate.pem" \
            LAB_CERT_ROOT "$PKI/root.pem" \
            LAB_CERT_EXPIRED "$PKI/expired.pem" \
            LAB_CERT_SELFSIGNED "$PKI/selfsigned.pem" \
            LAB_CERT_WRONGNAME "$PKI/wrongname.pem" \
            LAB_SASL_USER "$SASL_USER" \
            LAB_SASL_REALM "$SASL_REALM" \
            LAB_SASL_PASS "$SASL_PASS" \
            LAB_POSTFIX_CONFIG "$CONF" \
            LAB_MAILLOG "$DIR/maillog"
    } >"$DIR/lab.env"
}

# Plain-text greeting and EHLO extensions of a listener, one per line.
ehlo_reply() {   # ehlo_reply PORT [ADDRESS]
    (
        exec 3<>"/dev/tcp/${2:-127.0.0.1}/$1"
        IFS= read -r -t 3 line <&3
        echo "${line%$'\r'}"
        printf 'EHLO lab.sh\r\n' >&3
        while IFS= read -r -t 3 line <&3; do
            echo "${line%$'\r'}"
            [[ $line == 250-* ]] || break
        done
        printf 'QUIT\r\n' >&3
    ) 2>/dev/null
}

tls_handshake_ok() {   # tls_handshake_ok PORT [gnutls-cli options]
    local out
    out=$(timeout 5 gnutls-cli --insecure --port "$@" 127.0.0.1 </dev/null 2>&1) &&
        [[ $out == *"- Handshake was completed"* ]]
}

# Succeeds once a listener answers as configured. Postfix degrades quietly
# (an unreadable certificate still offers STARTTLS, then fails the handshake),
# so check the greeting, the EHLO extensions and the TLS handshake.
listener_ready() {   # listener_ready SERVICE PORT
    local reply
    [[ $1 == SMTPS ]] && { tls_handshake_ok "$2"; return; }
    reply=$'\n'$(ehlo_reply "$2")$'\n'
    [[ $reply == $'\n'"220 $LAB_BANNER"$'\n'* ]] || return 1
    if [[ $1 == PLAIN ]]; then
        [[ $reply == *$'\n250-AUTH '* && $reply != *STARTTLS* ]]
    else
        [[ $reply == *$'\n250-STARTTLS\n'* && $reply != *AUTH* ]] &&
            tls_handshake_ok "$2" --starttls-proto=smtp
    fi
}

wait_for_listeners() {
    local svc port deadline=$((SECONDS + 15))
    for svc in "${SERVICES[@]}"; do
        port=$(port_of "$svc")
        until listener_ready "$svc" "$port"; do
            ((SECONDS < deadline)) || die "$svc listener on port $port not answering as configured after 15 s"
            sleep 0.2
        done
    done
    [[ ${LAB_PORT25:-} == 1 ]] || return 0
    until [[ $(ehlo_reply 25 127.0.0.2) == *STARTTLS* &&
        $(ehlo_reply 25 127.0.0.3) == "220 $LAB_BANNER"* ]]; do
        ((SECONDS < deadline)) || die "port 25 on 127.0.0.2 or 127.0.0.3 not answering after 15 s"
        sleep 0.2
    done
}

# PIDs of every process of this instance: Postfix passes MAIL_CONFIG on to all
# of them, while their command lines need not mention DIR.
instance_pids() {
    grep -lsxzF -- "MAIL_CONFIG=$CONF" /proc/[0-9]*/environ |
        sed -e 's|^/proc/||' -e 's|/environ$||' || true
}

# Echoes those of the given PIDs that still have a /proc entry.
still_present() {
    local pid
    for pid in "$@"; do
        [[ -e /proc/$pid ]] && echo "$pid"
    done
    return 0
}

stop_instance() {
    local pids initial deadline
    initial=$(instance_pids)
    # Only if running: "postfix stop" on a stopped instance logs a fatal error.
    if [[ -n $initial && -f $CONF/main.cf ]]; then
        postfix -c "$CONF" stop >/dev/null 2>&1 || true
    fi
    # Bounded wait for master and its children, then force.
    deadline=$((SECONDS + 10))
    while pids=$(instance_pids) && [[ -n $pids ]] && ((SECONDS < deadline)); do
        sleep 0.2
    done
    if [[ -n $pids ]]; then
        echo "lab.sh: killing leftover Postfix processes: $pids" >&2
        # shellcheck disable=SC2086 # one PID per word
        kill -9 $pids 2>/dev/null || true
        sleep 0.5
        pids=$(instance_pids)
        [[ -z $pids ]] || die "processes still alive after kill -9: $pids"
    fi
    # The children outlive master briefly and end as zombies of PID 1, which
    # reaps them lazily here (~1.5 s): wait, so callers see a clean table.
    deadline=$((SECONDS + 5))
    # shellcheck disable=SC2086 # one PID per word
    while [[ -n $(still_present $initial) ]] && ((SECONDS < deadline)); do
        sleep 0.1
    done
    edit_alternate_dirs remove
}

on_start_exit() {
    local rc=$?
    ((rc == 0)) && return
    echo "lab.sh: start failed in $DIR" >&2
    if [[ -f $DIR/maillog ]]; then
        # Retried probes repeat the same complaint: show each one once, then
        # the plain tail.
        echo "---- distinct problems in $DIR/maillog ----" >&2
        awk '/(warning|error|fatal|panic):/ { m = $0; sub(/^[^]]*\]: /, "", m); if (!seen[m]++) print }' \
            "$DIR/maillog" | tail -n 20 >&2
        echo "---- tail of $DIR/maillog ----" >&2
        tail -n 15 "$DIR/maillog" >&2
    fi
    # Leave nothing running even if the caller forgets to call stop.
    stop_instance || true
    exit "$rc"
}

cmd_start() {
    local svc port
    [[ -d $1 ]] || die "$1: not a directory (the caller creates it)"
    [[ -z $(ls -A "$1") ]] || die "$1: not empty (start needs a fresh directory)"
    set_paths "$1"
    # Postfix config values cannot quote whitespace and friends.
    [[ $DIR =~ ^[A-Za-z0-9._/+-]+$ ]] || die "$DIR: unsupported characters in path"
    PORT_BASE=${LAB_PORT_BASE:-30025}
    if ! [[ $PORT_BASE =~ ^[0-9]+$ ]] || ((PORT_BASE < 1024 || PORT_BASE + 9 > 65535)); then
        die "LAB_PORT_BASE=$PORT_BASE: need 1024..65526"
    fi
    PROCESS_LIMIT=${LAB_PROCESS_LIMIT:-100}
    TLS_PROTOCOLS=${LAB_TLS_PROTOCOLS:->=TLSv1.2}
    [[ $TLS_PROTOCOLS =~ ^[A-Za-z0-9.,:!\>=\ ]+$ ]] ||
        die "LAB_TLS_PROTOCOLS=$TLS_PROTOCOLS: not a Postfix protocol list"
    if ! [[ $PROCESS_LIMIT =~ ^[0-9]+$ ]] || ((PROCESS_LIMIT < 1 || PROCESS_LIMIT > 2000)); then
        die "LAB_PROCESS_LIMIT=$PROCESS_LIMIT: need 1..2000"
    fi
    # A port already answering would make the readiness check lie.
    for svc in "${SERVICES[@]}"; do
        port=$(port_of "$svc")
        ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null ||
            die "port $port ($svc) is already in use; set LAB_PORT_BASE"
    done

    trap on_start_exit EXIT
    # Postfix daemons run as the postfix user and must traverse DIR.
    chmod 755 "$DIR"
    make_pki
    make_postfix_config
    make_sasl
    edit_alternate_dirs add
    quiet postfix -c "$CONF" start
    wait_for_listeners
    write_env
    trap - EXIT
    echo "lab.sh: lab running; source $DIR/lab.env"
}

# Postfix re-reads a main.cf only once it is ~2 s old, so the file is
# backdated; callers still wait until a connection shows the change.
cmd_set() {
    local dir=$1
    shift
    set_paths "$dir"
    [[ -f $CONF/main.cf ]] || die "$dir: no lab there"
    quiet postconf -c "$CONF" -e "$@"
    cool_down "$CONF/main.cf"
    quiet postfix -c "$CONF" reload
}

cmd_stop() {
    set_paths "$1"
    stop_instance
}

case ${1:-}/$# in
start/2) cmd_start "$2" ;;
stop/2) cmd_stop "$2" ;;
set/[3-9]) shift && cmd_set "$@" ;;
*) die "usage: $0 start|stop DIR, or $0 set DIR NAME=VALUE..." ;;
esac
