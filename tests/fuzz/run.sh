#!/usr/bin/env bash
# run.sh SECONDS [BUILD_DIR] - build the libFuzzer harnesses with clang and
# run each for SECONDS on a copy of its seed corpus (tests/fuzz/corpus/NAME,
# copied to BUILD_DIR/corpus/NAME so the committed corpus stays small).
# Prints "fuzz_X: N executions, no crash" per harness, or the crash file;
# exits 1 if any harness crashed or failed to build.
#
# BUILD_DIR defaults to build/fuzz. CLANG overrides the compiler; WERROR
# (make test sets -Werror) is added to the compiler's flags.
set -uo pipefail

secs=${1:?usage: tests/fuzz/run.sh SECONDS [BUILD_DIR]}
case $secs in '' | *[!0-9]*)
	echo "run.sh: SECONDS must be a whole number" >&2
	exit 2
	;;
esac
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${2:-$root/build/fuzz}
mkdir -p "$build" || exit 1
build=$(cd "$build" && pwd)
cc=${CLANG:-clang}

# -fno-sanitize-recover makes UBSan findings crashes, as ASan's are.
# shellcheck disable=SC2054 # the commas belong to -fsanitize=
flags=(-g -O1 -fsanitize=fuzzer,address,undefined
    -fno-sanitize-recover=all -std=c11 -D_GNU_SOURCE -Iinclude
    -Wall -Wextra)
[ -z "${WERROR:-}" ] || flags+=("$WERROR")
# smtp.c stores into result.h types (result.c: plain data, no GnuTLS;
# it releases a target's MTA-STS data through mta_sts.c).
smtp_src=(probe/smtp.c probe/result.c probe/xalloc.c probe/names.c
    probe/mta_sts.c)

# sources NAME - the library sources a harness links
sources() {
	case $1 in
	fuzz_reader | fuzz_ehlo) echo "${smtp_src[@]}" ;;
	fuzz_sanitize) echo reports/sanitize.c probe/xalloc.c ;;
	fuzz_tlsa) echo probe/dns_tlsa.c probe/xalloc.c -lcares ;;
	fuzz_mta_sts) echo probe/mta_sts.c probe/xalloc.c ;;
	esac
}

rc=0
cd "$root" || exit 1
for name in fuzz_reader fuzz_ehlo fuzz_sanitize fuzz_tlsa fuzz_mta_sts; do
	# shellcheck disable=SC2046 # word splitting of the source list
	if ! "$cc" "${flags[@]}" -o "$build/$name" "tests/fuzz/$name.c" \
	    $(sources "$name") 2>"$build/$name.build.log"; then
		echo "$name: build failed (see $build/$name.build.log)"
		cat "$build/$name.build.log" >&2
		rc=1
		continue
	fi
	rm -rf "$build/corpus/$name"
	mkdir -p "$build/corpus/$name" "$build/crashes"
	cp "tests/fuzz/corpus/$name"/* "$build/corpus/$name/"
	log=$build/$name.log
	"$build/$name" -max_total_time="$secs" -print_final_stats=1 \
	    -timeout=10 -artifact_prefix="$build/crashes/$name-" \
	    "$build/corpus/$name" >"$log" 2>&1
	status=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
	    tail -n 1)
	if [ "$status" -ne 0 ]; then
		crash=$(sed -n 's/.*Test unit written to //p' "$log" |
		    tail -n 1)
		echo "$name: crashed after ${execs:-?} executions:" \
		    "${crash:-no crash file, see $log}"
		grep -m 1 -E 'ERROR|runtime error|deadly signal' "$log"
		rc=1
	else
		echo "$name: ${execs:-?} executions, no crash"
	fi
done
exit "$rc"
