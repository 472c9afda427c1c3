/*
 * loop.c - the event loop: start jobs into free slots, poll the sockets
 * of those in flight, and wake each one at its earliest deadline.
 *
 * Sessions are large (each holds a bounded reply buffer), so only
 * max_inflight of them exist at a time, however many jobs there are.
 */
#include "loop.h"

#include <poll.h>
#include <stdlib.h>

#include "clock.h"
#include "xalloc.h"

/* loop_run - run every job to completion */
void
loop_run(const struct sess_params *params, struct job *jobs, size_t n,
    size_t max_inflight, loop_done_fn *done, void *arg)
{
	struct sess *slots;
	struct pollfd *pfd;
	size_t *slot_job, *pfd_slot, nslots, next = 0, finished = 0, i, np;
	int64_t now, wake;
	short events;
	bool *busy;
	int fd, timeout;

	nslots = n < max_inflight ? n : max_inflight;
	if (nslots == 0)
		return;
	slots = xcalloc(nslots, sizeof(*slots));
	busy = xcalloc(nslots, sizeof(*busy));
	slot_job = xcalloc(nslots, sizeof(*slot_job));
	pfd = xcalloc(nslots, sizeof(*pfd));
	pfd_slot = xcalloc(nslots, sizeof(*pfd_slot));

	while (finished < n) {
		now = clock_ms();
		for (i = 0; i < nslots && next < n; i++) {
			if (busy[i])
				continue;
			sess_init(&slots[i], params, jobs[next].res,
			    (struct sockaddr *)&jobs[next].addr,
			    jobs[next].addrlen, jobs[next].sni);
			slot_job[i] = next++;
			busy[i] = true;
			sess_start(&slots[i], now);
		}
		np = 0;
		wake = INT64_MAX;
		for (i = 0; i < nslots; i++) {
			if (!busy[i] || sess_done(&slots[i]))
				continue;
			if (sess_deadline(&slots[i]) < wake)
				wake = sess_deadline(&slots[i]);
			if ((fd = sess_pollfd(&slots[i], &events)) < 0)
				continue;
			pfd[np].fd = fd;
			pfd[np].events = events;
			pfd[np].revents = 0;
			pfd_slot[np++] = i;
		}
		timeout = 0;
		if (wake != INT64_MAX && wake > now)
			timeout =
			    wake - now > 60000 ? 60000 : (int)(wake - now);
		/* EINTR or a failure is harmless: deadlines are checked below
		 * and the fds are polled again on the next pass. */
		(void)poll(pfd, np, timeout);
		now = clock_ms();
		for (i = 0; i < np; i++)
			if (pfd[i].revents != 0)
				sess_on_io(
				    &slots[pfd_slot[i]], pfd[i].revents, now);
		for (i = 0; i < nslots; i++) {
			if (!busy[i])
				continue;
			if (!sess_done(&slots[i]) &&
			    now >= sess_deadline(&slots[i]))
				sess_on_timeout(&slots[i], now);
			if (sess_done(&slots[i])) {
				busy[i] = false;
				finished++;
				done(&jobs[slot_job[i]], arg);
			}
		}
	}
	free(pfd_slot);
	free(pfd);
	free(slot_job);
	free(busy);
	free(slots);
}
