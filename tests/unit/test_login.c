/*
 * test_login.c - the login of --auth-user without a server: the choice of
 * mechanism and the lines sent (sasl.c, base64 checked against Python's),
 * the dialogue's AUTH states (dialogue.c), never an AUTH state outside
 * TLS, and the password's sources (cred.c): file modes and lines, and the
 * environment variable gone from environ and from /proc/self/environ (in
 * a child started with it in its initial environment).
 */
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cred.h"
#include "diagnose.h"
#include "dialogue.h"
#include "result.h"
#include "sasl.h"
#include "smtp.h"
#include "step.h"
#include "tap.h"

#define ENV_SECRET "env-secret-4711"

static void test_choose(void);
static void test_lines(void);
static void test_dialogue(void);
static void test_replies(void);
static void test_never_in_clear(void);
static void test_close(void);
static void test_finding(void);
static void test_file(void);
static void test_env(const char *self);
static int env_child(void);
static const char *write_file(const char *content, mode_t mode);

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "env-child") == 0)
		return env_child();
	test_choose();
	test_lines();
	test_dialogue();
	test_replies();
	test_never_in_clear();
	test_close();
	test_finding();
	test_file();
	test_env(argv[0]);
	return done_testing();
}

static void
test_choose(void)
{
	static const struct {
		const char *label;
		const char *mechs[3];
		enum login_mech want;
	} cases[] = {
	    {"PLAIN before LOGIN", {"LOGIN", "PLAIN", NULL}, MECH_PLAIN},
	    {"PLAIN alone", {"PLAIN", NULL, NULL}, MECH_PLAIN},
	    {"LOGIN when no PLAIN", {"CRAM-MD5", "LOGIN", NULL}, MECH_LOGIN},
	    {"none supported", {"CRAM-MD5", "SCRAM-SHA-256", NULL}, MECH_NONE},
	    {"nothing offered", {NULL, NULL, NULL}, MECH_NONE},
	    {"a longer name is not PLAIN", {"PLAINX", NULL, NULL}, MECH_NONE},
	};
	struct text t[3];
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (n = 0; n < 3 && cases[i].mechs[n] != NULL; n++) {
			t[n].data = (unsigned char *)cases[i].mechs[n];
			t[n].len = strlen(cases[i].mechs[n]);
		}
		is_str(login_mech_names[sasl_choose(t, n)],
		    login_mech_names[cases[i].want], cases[i].label);
	}
}

static void
test_lines(void)
{
	unsigned char pw[] = "lab-secret";
	struct cred c = {"probe@lab.test", pw, 10, 0};
	char buf[SMTP_CMD_MAX], big[AUTH_PASSWORD_MAX];
	const char *shown;
	int n;

	n = sasl_line(SASL_AUTH, MECH_PLAIN, &c, buf, sizeof(buf), &shown);
	is_mem(buf, n < 0 ? 0 : (size_t)n,
	    "AUTH PLAIN AHByb2JlQGxhYi50ZXN0AGxhYi1zZWNyZXQ=",
	    "AUTH PLAIN with the initial response of RFC 4616");
	is_str(shown, "AUTH PLAIN ****", "PLAIN shown masked");
	n = sasl_line(SASL_AUTH, MECH_LOGIN, &c, buf, sizeof(buf), &shown);
	is_mem(buf, n < 0 ? 0 : (size_t)n, "AUTH LOGIN", "AUTH LOGIN");
	is_str(shown, "AUTH LOGIN", "AUTH LOGIN shown as it is");
	n = sasl_line(SASL_USER, MECH_LOGIN, &c, buf, sizeof(buf), &shown);
	is_mem(buf, n < 0 ? 0 : (size_t)n,
	    "cHJvYmVAbGFiLnRlc3Q=", "LOGIN's user name");
	is_str(shown, "****", "the user name's line masked");
	n = sasl_line(SASL_PASSWORD, MECH_LOGIN, &c, buf, sizeof(buf), &shown);
	is_mem(
	    buf, n < 0 ? 0 : (size_t)n, "bGFiLXNlY3JldA==", "LOGIN's password");
	is_str(shown, "****", "the password's line masked");
	is_int(sasl_line(SASL_AUTH, MECH_PLAIN, &c, buf, 20, &shown), -1,
	    "a buffer too small is refused");
	/* The longest credentials fit in one command line. */
	memset(big, 'x', sizeof(big));
	c.password = (unsigned char *)big;
	c.password_len = sizeof(big);
	c.user =
	    "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
	    "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
	    "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
	    "uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu"
	    "uuuuuuu";
	is_int(strlen(c.user), AUTH_USER_MAX, "the longest user name");
	n = sasl_line(SASL_AUTH, MECH_PLAIN, &c, buf, sizeof(buf) - 2, &shown);
	is_int(n, 11 + 4 * ((2 + AUTH_USER_MAX + AUTH_PASSWORD_MAX + 2) / 3),
	    "the longest AUTH PLAIN fits");
	ok(sasl_challenge_ok((const unsigned char *)"VXNlcm5hbWU6", 12),
	    "LOGIN's Username: challenge is base64");
	ok(sasl_challenge_ok((const unsigned char *)"", 0),
	    "an empty challenge is allowed");
	ok(!sasl_challenge_ok((const unsigned char *)"not base64!", 11),
	    "a challenge that is not base64");
}

static void
test_dialogue(void)
{
	static const struct {
		const char *label;
		enum sess_state st;
		enum login_mech mech; /* chosen before this reply */
		const char *text;
		enum sess_state want;
		int code;
		const char *want_mech;
		const char *why; /* prefix of login.why, NULL: empty */
	} cases[] = {
	    {"EHLO inside TLS offers PLAIN", SESS_EHLO_TLS, MECH_NONE,
		"250-x\r\n250 AUTH LOGIN PLAIN\r\n", SESS_AUTH, 0, "PLAIN",
		NULL},
	    {"the old AUTH= form with LOGIN only", SESS_EHLO_TLS, MECH_NONE,
		"250-x\r\n250 AUTH=LOGIN\r\n", SESS_AUTH, 0, "LOGIN", NULL},
	    {"no AUTH inside TLS", SESS_EHLO_TLS, MECH_NONE, "250 x\r\n",
		SESS_QUIT, 0, "",
		"not attempted: the server offers no AUTH inside TLS"},
	    {"only mechanisms smtp-probe lacks", SESS_EHLO_TLS, MECH_NONE,
		"250-x\r\n250 AUTH CRAM-MD5 SCRAM-SHA-256\r\n", SESS_QUIT, 0,
		"",
		"not attempted: smtp-probe logs in with PLAIN or LOGIN, and "
		"the server offers only CRAM-MD5 SCRAM-SHA-256"},
	    {"PLAIN accepted", SESS_AUTH, MECH_PLAIN,
		"235 2.7.0 Authentication successful\r\n", SESS_QUIT, 235,
		"PLAIN", NULL},
	    {"PLAIN refused", SESS_AUTH, MECH_PLAIN,
		"535 5.7.8 authentication failed\r\n", SESS_QUIT, 535, "PLAIN",
		NULL},
	    {"a challenge PLAIN did not expect", SESS_AUTH, MECH_PLAIN,
		"334 \r\n", SESS_QUIT, 334, "PLAIN", NULL},
	    {"LOGIN asks for the user name", SESS_AUTH, MECH_LOGIN,
		"334 VXNlcm5hbWU6\r\n", SESS_AUTH_USER, 0, "LOGIN", NULL},
	    {"LOGIN asks for the password", SESS_AUTH_USER, MECH_LOGIN,
		"334 UGFzc3dvcmQ6\r\n", SESS_AUTH_PASS, 0, "LOGIN", NULL},
	    {"LOGIN accepted", SESS_AUTH_PASS, MECH_LOGIN, "235 ok\r\n",
		SESS_QUIT, 235, "LOGIN", NULL},
	    {"LOGIN: no third challenge", SESS_AUTH_PASS, MECH_LOGIN,
		"334 UGFzc3dvcmQ6\r\n", SESS_QUIT, 334, "LOGIN", NULL},
	    {"LOGIN: a temporary failure", SESS_AUTH, MECH_LOGIN,
		"454 4.7.0 Temporary authentication failure\r\n", SESS_QUIT,
		454, "LOGIN", NULL},
	};
	struct probe_result r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		result_probe_init(&r, 587, MODE_AUTO);
		r.login.wanted = true;
		r.login.mech = cases[i].mech;
		is_str(dialogue_state_name(dialogue_step(cases[i].st,
			   MODE_STARTTLS, true, true, cases[i].text, &r)),
		    dialogue_state_name(cases[i].want), cases[i].label);
		is_int(r.login.code, cases[i].code,
		    lbl("%s: code", cases[i].label));
		is_str(login_mech_names[r.login.mech], cases[i].want_mech,
		    lbl("%s: mechanism", cases[i].label));
		is_str(r.login.why, cases[i].why ? cases[i].why : "",
		    lbl("%s: why", cases[i].label));
		ok(!r.error.set, lbl("%s: no error", cases[i].label));
		result_probe_free(&r);
	}
}

/* test_replies - the final reply kept, a bad challenge, no login asked */
static void
test_replies(void)
{
	struct probe_result r;

	result_probe_init(&r, 587, MODE_AUTO);
	r.login.mech = MECH_PLAIN;
	dialogue_step(SESS_AUTH, MODE_STARTTLS, true, true,
	    "235-2.7.0 a\r\n235 b\r\n", &r);
	is_mem(r.login.text.data, r.login.text.len, "2.7.0 a\nb",
	    "the final reply's lines joined");
	result_probe_free(&r);
	result_probe_init(&r, 587, MODE_AUTO);
	r.login.mech = MECH_LOGIN;
	is_str(dialogue_state_name(dialogue_step(
		   SESS_AUTH, MODE_STARTTLS, true, true, "334 &&&&\r\n", &r)),
	    "QUIT", "a LOGIN challenge that is not base64 ends the login");
	is_str(r.error.message,
	    "the server's 334 challenge to AUTH LOGIN is not base64 (RFC "
	    "4954 4)",
	    "and is a protocol error");
	is_str(phase_names[r.error.phase], "quit", "of the quit phase");
	result_probe_free(&r);
	result_probe_init(&r, 587, MODE_AUTO);
	is_str(dialogue_state_name(dialogue_step(SESS_EHLO_TLS, MODE_STARTTLS,
		   true, false, "250-x\r\n250 AUTH PLAIN\r\n", &r)),
	    "QUIT", "no login without --auth-user");
	result_probe_free(&r);
}

/*
 * test_never_in_clear - whatever a server says before TLS, and whatever
 * it offers, no reply outside TLS leads to an AUTH state
 */
static void
test_never_in_clear(void)
{
	static const enum sess_state states[] = {SESS_BANNER, SESS_EHLO,
	    SESS_HELO, SESS_STARTTLS, SESS_EHLO_TLS, SESS_QUIT};
	static const char *const replies[] = {"220 hi\r\n",
	    "250-x\r\n250 AUTH PLAIN LOGIN\r\n",
	    "250-x\r\n250-AUTH=PLAIN\r\n250 STARTTLS\r\n", "235 ok\r\n",
	    "334 VXNlcm5hbWU6\r\n", "502 no\r\n", "454 no\r\n"};
	static const enum mode modes[] = {
	    MODE_STARTTLS, MODE_PLAIN, MODE_IMPLICIT};
	struct probe_result r;
	enum sess_state next;
	size_t i, k, m, bad = 0;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		for (k = 0; k < sizeof(replies) / sizeof(replies[0]); k++)
			for (m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
				result_probe_init(&r, 25, MODE_AUTO);
				r.login.wanted = true;
				next = dialogue_step(states[i], modes[m], false,
				    true, replies[k], &r);
				if (next == SESS_AUTH ||
				    next == SESS_AUTH_USER ||
				    next == SESS_AUTH_PASS) {
					bad++;
					printf("# %s, \"%s\" led to %s\n",
					    dialogue_state_name(states[i]),
					    replies[k],
					    dialogue_state_name(next));
				}
				result_probe_free(&r);
			}
	is_int(bad, 0, "no reply in clear leads to AUTH, in any mode");
}

static void
test_close(void)
{
	static const struct {
		const char *label;
		bool wanted, banner, tls;
		size_t nbefore;
		enum login_mech mech;
		int code;
		const char *want;
	} cases[] = {
	    {"nothing to say without --auth-user", false, true, false, 1,
		MECH_NONE, 0, ""},
	    {"no TLS, AUTH in clear", true, true, false, 1, MECH_NONE, 0,
		"not attempted: TLS was not established on this port, and "
		"smtp-probe never sends credentials without it (the server "
		"offers AUTH in clear text)"},
	    {"no TLS, no AUTH", true, true, false, 0, MECH_NONE, 0,
		"not attempted: TLS was not established on this port, and "
		"smtp-probe never sends credentials without it"},
	    {"no dialogue", true, false, false, 0, MECH_NONE, 0,
		"not attempted: no SMTP dialogue took place on this port"},
	    {"TLS, and no EHLO answered inside", true, true, true, 0, MECH_NONE,
		0,
		"not attempted: the dialogue ended before the EHLO inside TLS "
		"was answered (see error)"},
	    {"AUTH sent, no final reply", true, true, true, 0, MECH_PLAIN, 0,
		"no answer to AUTH PLAIN: the dialogue ended first (see "
		"error)"},
	    {"a final reply needs no reason", true, true, true, 0, MECH_PLAIN,
		235, ""},
	};
	struct probe_result r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		result_probe_init(&r, 587, MODE_AUTO);
		r.login.wanted = cases[i].wanted;
		r.banner.present = cases[i].banner;
		r.tls.attempted = r.tls.established = cases[i].tls;
		r.auth.nbefore = cases[i].nbefore;
		r.login.mech = cases[i].mech;
		r.login.code = cases[i].code;
		dialogue_login_close(&r);
		is_str(r.login.why, cases[i].want, cases[i].label);
		r.auth.nbefore = 0;
		result_probe_free(&r);
	}
}

/*
 * test_finding - login-failed on a final reply other than 235 and only
 * then, its message saying what the code means; on a port where all else
 * is fine (STARTTLS without AUTH in clear), it is the only finding
 */
static void
test_finding(void)
{
	static const struct {
		enum login_mech mech;
		int code;
		const char *want; /* the findings */
		const char *says; /* in the message */
	} cases[] = {
	    {MECH_PLAIN, 535, "login-failed",
		"AUTH PLAIN inside TLS on port 587 was refused with 535. TLS "
		"worked, so the cause is the login itself: the user name or "
		"the password is wrong"},
	    {MECH_LOGIN, 534, "login-failed", "stronger mechanism"},
	    {MECH_PLAIN, 538, "login-failed", "wants encryption"},
	    {MECH_PLAIN, 454, "login-failed",
		"temporary failure on the server's side"},
	    {MECH_PLAIN, 334, "login-failed", "read the reply text"},
	    {MECH_PLAIN, 235, "", NULL},
	    {MECH_PLAIN, 0, "", NULL}, /* no reply: the error's finding */
	    {MECH_NONE, 0, "", NULL},  /* not attempted */
	};
	struct diag_params dp = {21};
	struct probe_result r;
	char ids[256];
	size_t i, k, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		result_probe_init(&r, 587, MODE_STARTTLS);
		r.mode = MODE_STARTTLS;
		r.banner.present = r.ehlo.reply.present = true;
		r.ehlo.reply.code = 250;
		r.starttls.offered = r.starttls.sent = true;
		r.starttls.code = 220;
		r.tls.attempted = r.tls.established = true;
		r.tls.version = TLSV_1_3;
		r.login.wanted = true;
		r.login.mech = cases[i].mech;
		r.login.code = cases[i].code;
		diagnose(&r, &dp);
		for (k = n = 0; k < r.nfindings && n < sizeof(ids); k++)
			n += (size_t)snprintf(ids + n, sizeof(ids) - n, "%s%s",
			    k ? " " : "", r.findings[k].id);
		ids[n < sizeof(ids) ? n : 0] = '\0';
		is_str(ids, cases[i].want,
		    lbl("%s %d: findings", login_mech_names[cases[i].mech],
			cases[i].code));
		if (cases[i].says != NULL && r.nfindings == 1) {
			ok(strstr(r.findings[0].message, cases[i].says) != NULL,
			    lbl("%d: what it means", cases[i].code));
			is_int(r.findings[0].severity, SEV_CRITICAL,
			    lbl("%d: critical", cases[i].code));
		}
		result_probe_free(&r);
	}
}

static void
test_file(void)
{
	static const struct {
		const char *label;
		const char *content;
		mode_t mode;
		const char *want; /* the password, or the end of the error */
	} cases[] = {
	    {"one line", "s3cret\n", 0600, "s3cret"},
	    {"no newline", "s3cret", 0400, "s3cret"},
	    {"CRLF", "s3cret\r\n", 0600, "s3cret"},
	    {"spaces are kept", " s3 cret \n", 0600, " s3 cret "},
	    {"readable by others", "s3cret\n", 0644,
		"readable or writable by group or others (mode 0644): make "
		"it private (chmod 600)"},
	    {"writable by the group", "s3cret\n", 0620,
		"readable or writable by group or others (mode 0620): make "
		"it private (chmod 600)"},
	    {"two lines", "s3cret\nmore\n", 0600, "holds more than one line"},
	    {"empty", "\n", 0600, "the password is empty"},
	    {"too long",
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xx"
		"\n",
		0600, "the password is longer than 255 bytes"},
	};
	char err[512], want[512];
	struct cred c;
	const char *path;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		path = write_file(cases[i].content, cases[i].mode);
		if (cred_load(&c, "u", path, err, sizeof(err)) == 0) {
			is_mem(c.password, c.password_len, cases[i].want,
			    cases[i].label);
			is_int(c.password[c.password_len], 0,
			    lbl("%s: nothing after it", cases[i].label));
		} else {
			snprintf(want, sizeof(want),
			    "--auth-password-file %s: %s", path, cases[i].want);
			is_str(err, want, cases[i].label);
		}
		cred_free(&c);
		ok(c.password == NULL, lbl("%s: released", cases[i].label));
		(void)unlink(path);
	}
	is_int(cred_load(&c, "u", "/nonexistent/pw", err, sizeof(err)), -1,
	    "a missing file");
	is_str(err,
	    "--auth-password-file /nonexistent/pw: No such file or directory",
	    "names the option and the file");
	is_int(cred_load(&c, "u", "/dev/null", err, sizeof(err)), -1,
	    "not a regular file");
	unsetenv(CRED_ENV);
	is_int(cred_load(&c, "u", NULL, err, sizeof(err)), -1,
	    "no password anywhere");
	is_str(err,
	    "--auth-user: no password: set SMTP_PROBE_PASSWORD or give "
	    "--auth-password-file FILE",
	    "says where a password may come from");
}

/*
 * test_env - a child started with the variable in its initial environment
 * (the block /proc/PID/environ shows) reads it and checks it is gone
 */
static void
test_env(const char *self)
{
	char *const argv[] = {(char *)self, "env-child", NULL};
	char *const envp[] = {
	    "LANG=C", "SMTP_PROBE_PASSWORD=" ENV_SECRET, "OTHER=kept", NULL};
	int status = -1;
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		execve(self, argv, envp);
		_exit(127);
	}
	if (pid > 0)
		(void)waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "SMTP_PROBE_PASSWORD read, then gone from environ and "
	    "/proc/self/environ");
}

/* env_child - 0 when the password was read and left no trace */
static int
env_child(void)
{
	char buf[8192], err[256];
	struct cred c;
	size_t n = 0, i;
	ssize_t got;
	int fd, bad = 0;

	if (cred_load(&c, "u", NULL, err, sizeof(err)) != 0 ||
	    c.password_len != strlen(ENV_SECRET) ||
	    memcmp(c.password, ENV_SECRET, c.password_len) != 0) {
		printf("# cred_load: %s\n", err);
		return 1;
	}
	if (getenv(CRED_ENV) != NULL || getenv("OTHER") == NULL ||
	    strcmp(getenv("OTHER"), "kept") != 0) {
		printf("# environ not as expected\n");
		bad = 1;
	}
	if ((fd = open("/proc/self/environ", O_RDONLY)) == -1)
		return 1;
	while (
	    n < sizeof(buf) && (got = read(fd, buf + n, sizeof(buf) - n)) > 0)
		n += (size_t)got;
	(void)close(fd);
	for (i = 0; i + 8 <= n; i++)
		if (memcmp(buf + i, "env-secr", 8) == 0 ||
		    memcmp(buf + i, "SMTP_PRO", 8) == 0) {
			printf("# /proc/self/environ still holds it\n");
			bad = 1;
			break;
		}
	cred_free(&c);
	return bad;
}

/* write_file - a temporary file with content and mode; its path */
static const char *
write_file(const char *content, mode_t mode)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_login.XXXXXX");
	if ((fd = mkstemp(path)) == -1 ||
	    write(fd, content, strlen(content)) != (ssize_t)strlen(content) ||
	    fchmod(fd, mode) == -1) {
		perror("write_file");
		exit(1);
	}
	(void)close(fd);
	return path;
}
