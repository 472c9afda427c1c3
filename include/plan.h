/*
 * plan.h - which attempts one probe makes, and how they become its result.
 *
 * Pure: no I/O, no clock. A probe of one host, address and port runs one
 * or more attempts (one connection and one mode each). The plan chooses
 * the first mode, how long that attempt waits for a greeting, whether
 * another attempt follows, and merges the attempts into the probe's
 * result. Auto mode (report-contract.md, "Modes") lives here and nowhere
 * else:
 * - on 465, implicit TLS first; a ClientHello answered by "220 ..." means
 *   plaintext SMTP, and STARTTLS is tried on a second connection;
 * - elsewhere, STARTTLS first, waiting half of --timeout for a greeting
 *   (long enough for a postscreen greet delay); a silent port is tried
 *   with implicit TLS on a second connection: at once in parallel after a
 *   short pause on ports other than 25, where the STARTTLS attempt keeps
 *   waiting (a late greeting still wins), or after the wait on 25, so MX
 *   servers that delay their greeting never see a second connection.
 * With --tls-versions, plan_sweep says whether one more connection per
 * TLS version follows the probe's own attempts, and in which mode.
 */
#ifndef SMTP_PROBE_PLAN_H
#define SMTP_PROBE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h"
#include "result.h"

/* One attempt as the plan sees it. */
struct plan_attempt {
	enum mode mode;     /* starttls, implicit or plain */
	bool smtp_answer;   /* a ClientHello was answered in plaintext SMTP */
	int64_t started_ms; /* from the probe's start */
	struct probe_result res; /* owned until plan_merge moves it */
};

/* plan_first - the mode of the first attempt */
enum mode plan_first(enum mode requested, int port);

/*
 * plan_banner_timeout - how long attempt number n (0-based) in mode waits
 * for a greeting in clear before it ends; 0: until the probe's deadline.
 */
int plan_banner_timeout(
    enum mode requested, size_t n, enum mode mode, int timeout_ms);

/*
 * plan_parallel_pause - after how long without a greeting the first
 * attempt of mode gets a parallel implicit one; 0: never.
 */
int plan_parallel_pause(enum mode requested, int port, enum mode mode);

/*
 * plan_decides - att[i] ended while the other attempt still runs: true
 * when its answer decides the probe (the other is abandoned), false to
 * wait for the other.
 */
bool plan_decides(const struct plan_attempt *att, size_t i);

/*
 * plan_next - after att[n - 1] ended: the mode of another attempt, or
 * MODE_UNKNOWN for none. time_left is false once the probe's deadline
 * has passed.
 */
enum mode plan_next(enum mode requested, const struct plan_attempt *att,
    size_t n, bool time_left);

/*
 * plan_sweep - with --tls-versions (wanted), once att[0..n) are over:
 * the mode in which one more connection per TLS version repeats the
 * dialogue up to the handshake, or MODE_UNKNOWN for none. The attempt
 * whose dialogue the probe reports must have reached a handshake, whether
 * it worked or not: a server that speaks only a version the ordinary
 * priorities refuse is the case a sweep is for.
 */
enum mode plan_sweep(bool wanted, const struct plan_attempt *att, size_t n);

/*
 * plan_merge - the probe's result from att[0..n): the deciding attempt's
 * dialogue and timings (so its port, address and requested mode), the
 * mode detection, and every attempt's transcript in order. out is
 * overwritten; what it takes from an attempt is moved, and the attempts
 * are left to be freed. total_ms is the probe's whole duration.
 */
void plan_merge(struct probe_result *out, struct plan_attempt *att, size_t n,
    int64_t total_ms);

#endif
