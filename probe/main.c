/*
 * main.c - smtp-probe: how does this mail server do TLS?
 *
 * Parse the command line, run the probes, write the report, and turn the
 * findings into the exit status (report-contract.md: 0 ok, 1 --fail-on
 * threshold reached, 2 bad usage or configuration, 3 the tool failed).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "baseline.h"
#include "cli.h"
#include "log.h"
#include "output.h"
#include "policy.h"
#include "report.h"
#include "run.h"
#include "target.h"
#include "tls.h"
#include "xalloc.h"

static int prepare(
    struct config *, struct target_src **, struct run_ctx *, struct output *);
static bool ensure_std_fds(void);
static int catch_signals(void);
static void on_signal(int);

/* The write end of the signal pipe: the handler's only business. */
static int signal_fd = -1;

int
main(int argc, char **argv)
{
	struct run_summary sum;
	struct target_src *src;
	struct report_opts ro;
	struct run_ctx ctx;
	struct config cfg;
	struct sink sink;
	struct output out;
	bool stdout_closed;
	int ret, stop_fd;

	/* A server closing early must be an error of a write, not death by
	 * SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	stdout_closed = ensure_std_fds();
	switch (cli_parse(argc, argv, isatty(STDOUT_FILENO),
	    getenv("NO_COLOR") != NULL && getenv("NO_COLOR")[0] != '\0',
	    &cfg)) {
	case CLI_EXIT_OK:
		if (stdout_closed || fflush(stdout) == EOF || ferror(stdout)) {
			log_warn("cannot write to standard output");
			return EXIT_TOOL_FAILURE;
		}
		return 0;
	case CLI_USAGE:
		return format_usage(cfg.format);
	case CLI_OK:
		break;
	}
	log_verbosity = cfg.verbosity;
	/* The report would go to /dev/null, put there by ensure_std_fds. */
	if (stdout_closed && cfg.output == NULL) {
		log_warn("standard output is closed: give -o FILE");
		return EXIT_TOOL_FAILURE;
	}
	if ((ret = prepare(&cfg, &src, &ctx, &out)) != 0)
		return ret;
	if ((stop_fd = catch_signals()) == -1) {
		log_warn("cannot set up signal handling: %s", strerror(errno));
		run_ctx_free(&ctx);
		(void)output_close(&out, false);
		return EXIT_TOOL_FAILURE;
	}
	ro.transcript = cfg.transcript;
	ro.color = cfg.color;
	ro.warn_days = cfg.warn_days;
	ro.width = report_text_width(out.fp);
	sink_open(&sink, cfg.format, out.fp, &ro, time(NULL), tls_library());
	sink_begin(&sink);
	ret = run_probe(&cfg, &ctx, src, stop_fd, &sink, &sum);
	sink_end(&sink, &sum);
	run_ctx_free(&ctx);
	target_src_close(src);
	baseline_free(cfg.baseline);
	if (!sink.closed && fflush(out.fp) == EOF)
		sink.closed = errno == EPIPE;
	if (!sink.closed && ferror(out.fp))
		sink.failed = true;
	if (output_close(&out, !sink.failed) == -1)
		sink.failed = true;
	if (sink.failed) {
		log_warn("cannot write the report%s%s",
		    cfg.output ? " to " : "", cfg.output ? cfg.output : "");
		return EXIT_TOOL_FAILURE;
	}
	if (ret != 0)
		return ret;
	return cfg.format->exit_status(&sum);
}

/*
 * prepare - everything the run needs, checked before anything is probed
 * or written: the target source, the baseline, trust and credentials,
 * and the output. 0, or the exit status (said on stderr), with nothing
 * left open.
 */
static int
prepare(struct config *cfg, struct target_src **src, struct run_ctx *ctx,
    struct output *out)
{
	char err[512];

	if ((*src = target_src_open(cfg->targets, cfg->ntargets,
		 cfg->targets_file, err, sizeof(err))) == NULL) {
		log_warn("-f: %s", err);
		return format_usage(cfg->format);
	}
	if (cfg->shard_n > 0)
		target_src_shard(*src, cfg->shard_k, cfg->shard_n);
	/* A line redrawn in place is for a person at a terminal, and must
	 * not land in the middle of a report written to that terminal. */
	if (cfg->progress < 0)
		cfg->progress = isatty(STDERR_FILENO) &&
		    (cfg->output != NULL || !isatty(STDOUT_FILENO));
	if (cfg->baseline_file != NULL &&
	    (cfg->baseline = baseline_load(
		 cfg->baseline_file, err, sizeof(err))) == NULL) {
		log_warn("%s", err);
		target_src_close(*src);
		return format_usage(cfg->format);
	}
	if (run_setup(cfg, ctx) != 0) {
		baseline_free(cfg->baseline);
		target_src_close(*src);
		return format_usage(cfg->format);
	}
	if (output_open(out, cfg->output, cfg->format->atomic_output, err,
		sizeof(err)) == -1) {
		log_warn("%s", err);
		baseline_free(cfg->baseline);
		run_ctx_free(ctx);
		target_src_close(*src);
		return EXIT_TOOL_FAILURE;
	}
	return 0;
}

/*
 * ensure_std_fds - so no socket is ever opened as fd 0, 1 or 2; returns
 * true when stdout was closed.
 */
static bool
ensure_std_fds(void)
{
	bool closed = fcntl(STDOUT_FILENO, F_GETFD) == -1;
	int fd;

	do {
		if ((fd = open("/dev/null", O_RDWR)) == -1)
			exit(EXIT_TOOL_FAILURE);
	} while (fd <= STDERR_FILENO);
	(void)close(fd);
	return closed;
}

/*
 * catch_signals - SIGINT and SIGTERM write their number into a pipe whose
 * read end the run polls, so a signal stops the run between two events
 * and the report is closed properly (self-pipe). Returns the read end.
 */
static int
catch_signals(void)
{
	struct sigaction sa;
	int p[2];

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1)
		return -1;
	signal_fd = p[1];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGTERM, &sa, NULL) == -1)
		return -1;
	return p[0];
}

/* on_signal - async-signal-safe: one byte, the signal's number */
static void
on_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	int saved = errno;

	/* A full pipe already holds a signal: the run stops all the same. */
	if (write(signal_fd, &b, 1) == -1)
		errno = saved;
	errno = saved;
}
