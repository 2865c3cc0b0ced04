// SPDX-License-Identifier: GPL-2.0
/*
 * A link's rounds. A round sends "count" probes to every target at once,
 * whatever their method, and ends when all have answered (or are known
 * lost) or its timeout passed; health.c judges it, and a change of state
 * goes to the kernel before the next round.
 * Rounds of one link never overlap: the next starts an interval after
 * this one started, or when it ended if that is later. Each link has its
 * own timer and sockets, so no link waits on another.
 */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "agent.h"

#define NSEC_PER_MSEC	1000000ULL
/* "tcp [2001:db8::1]:443, " for each target */
#define TARGETS_TEXT_MAX	(CHECK_TARGETS_MAX * (sizeof("icmp , ") + \
				 sizeof(((struct check_target *)0)->text)))
/* RTT and loss alone go to the kernel at most this often */
#define PUSH_PERIOD_NS	(1000 * NSEC_PER_MSEC)
/* a timeout that fires this late means the agent did not run meanwhile */
#define LATE_NS		(10 * NSEC_PER_MSEC)

static void arm(struct alink *l, uint64_t at_ns)
{
	struct itimerspec its = { 0 };

	/* zero would disarm: "now" is the next nanosecond */
	at_ns = at_ns ? at_ns : 1;
	its.it_value.tv_sec = at_ns / 1000000000ULL;
	its.it_value.tv_nsec = at_ns % 1000000000ULL;
	timerfd_settime(l->timer.fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void disarm(struct alink *l)
{
	struct itimerspec its = { 0 };

	timerfd_settime(l->timer.fd, 0, &its, NULL);
}

static unsigned int n_probes(const struct alink *l)
{
	return l->check->n_targets * l->check->hc.count;
}

static const char *state_name(bool up)
{
	return up ? "up" : "down";
}

/* down-action flush: the dead link's connections, and only those */
static void flush_connections(struct alink *l, struct log_event *e)
{
	int n = kernel_flush(l);

	e->what = "flush";
	e->old_state = e->new_state = e->reason = NULL;
	e->has_quality = false;
	if (n < 0) {
		agent_event(e, "%s: cannot flush its connections: %s", l->name,
			    strerror(-n));
		return;
	}
	e->has_count = true;
	e->count = n;
	agent_event(e, "%s: down-action flush: %d connections removed",
		    l->name, n);
}

/*
 * Tell the kernel, and the log, at once; then what the change leads to.
 * A state set by hand stays: the kernel hears the checks' verdict only.
 * @silent: the targets that did not answer the last round.
 */
static void went(struct alink *l, enum health_change ch, const char *silent)
{
	bool up = ch == HEALTH_WENT_UP;
	char why[sizeof(l->h.reason) + TARGETS_TEXT_MAX];
	struct log_event e = {
		.what = "state", .id = ++l->agent->last_event,
		.link = l->name, .dev = l->dev,
		.old_state = state_name(!up), .new_state = state_name(up),
		.reason = why, .has_quality = true,
		.rtt_us = l->h.rtt_us, .loss_ppm = health_loss_ppm(&l->h),
	};
	int err;

	/* a link that goes down says who fell silent */
	snprintf(why, sizeof(why), "%s%s%s", l->h.reason,
		 !up && *silent ? "; no answer from " : "",
		 !up && *silent ? silent : "");
	/* the kernel first: new connections avoid a dead link from then on */
	err = kernel_push(l, true);
	l->pushed_ns = now_ns();
	if (l->held)
		agent_event(&e, "%s: checks say %s: %s; the state stays %s, set by hand",
			    l->name, e.new_state, why,
			    link_state_name(l->kstate));
	else
		agent_event(&e, "%s: %s -> %s: %s", l->name, e.old_state,
			    e.new_state, why);
	if (err) {
		e.what = "kernel";
		agent_event(&e, "%s: the kernel did not take the change",
			    l->name);
	}
	hooks_run(l->agent, l, e.id, state_name(!up), state_name(up), why);
	if (!up && !l->held && l->check->flush_on_down)
		flush_connections(l, &e);
}

/* The DNS and TCP probes' sockets, all closed: the round is over */
static void round_close(struct alink *l)
{
	unsigned int k;

	for (k = 0; k < n_probes(l); k++)
		sockprobe_close(&l->probes[k]);
	l->in_round = false;
}

static bool round_over(const struct alink *l)
{
	unsigned int k;

	for (k = 0; k < n_probes(l); k++)
		if (!l->probes[k].answered && !l->probes[k].lost)
			return false;
	return true;
}

/* A failed socket is logged once, until probes get sockets again */
static void sock_error(struct alink *l, int err)
{
	if (err == l->sock_err)
		return;
	l->sock_err = err;
	if (err)
		agent_log("%s: cannot open a probe socket on %s: %s", l->name,
			  l->dev, strerror(-err));
}

static void probe_start(struct alink *l, struct probe *p,
			const struct check_target *t, uint16_t seq)
{
	if (t->method == CHECK_ICMP) {
		p->sent_ns = now_ns();
		/* unsent is unanswered: no route is a failure too */
		p->lost = probe_send(l, t, seq) < 0;
		return;
	}
	/* an unsent DNS or TCP probe is lost the same */
	sock_error(l, sockprobe_start(l, p, t));
}

static void round_end(struct alink *l);

static void round_begin(struct alink *l)
{
	const struct check *c = l->check;
	unsigned int i, j, k;

	l->seq += n_probes(l);
	l->round_ns = now_ns();
	l->due_ns = l->round_ns + c->hc.timeout_ms * NSEC_PER_MSEC;
	l->extended = false;
	memset(l->probes, 0, sizeof(l->probes));
	for (k = 0; k < n_probes(l); k++) {
		l->probes[k].w.fd = -1;
		l->probes[k].link = l;
	}
	l->in_round = true;
	/* what is answered or lost at once ends the round only after this */
	l->starting = true;
	for (i = 0, k = 0; i < c->n_targets; i++)
		for (j = 0; j < c->hc.count; j++, k++)
			probe_start(l, &l->probes[k], &c->targets[i],
				    l->seq + k);
	l->starting = false;
	if (round_over(l))
		round_end(l);
	else
		arm(l, l->due_ns);
}

/*
 * "icmp 192.0.2.1, dns 192.0.2.53, tcp [2001:db8::1]:443": the check's
 * targets, or with @t only those that had no reply in that round
 */
static void targets_text(const struct check *c, const struct health_target *t,
			 char *buf, size_t size)
{
	size_t len = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < c->n_targets && len < size; i++) {
		if (t && t[i].replies)
			continue;
		len += snprintf(buf + len, size - len, "%s%s %s",
				len ? ", " : "",
				check_method_name(c->targets[i].method),
				c->targets[i].text);
	}
}

static void round_end(struct alink *l)
{
	const struct check *c = l->check;
	struct health_target t[CHECK_TARGETS_MAX] = { 0 };
	char silent[TARGETS_TEXT_MAX];
	enum health_change ch;
	unsigned int i, j;
	uint64_t next;

	round_close(l);
	for (i = 0; i < c->n_targets; i++) {
		for (j = 0; j < c->hc.count; j++) {
			const struct probe *p = &l->probes[i * c->hc.count + j];

			t[i].sent++;
			if (!p->answered)
				continue;
			t[i].replies++;
			t[i].rtt_sum_us += p->rtt_us;
		}
	}
	ch = health_round(&l->h, &c->hc, t, c->n_targets);
	if (ch != HEALTH_SAME) {
		targets_text(c, t, silent, sizeof(silent));
		went(l, ch, silent);
	} else if (now_ns() - l->pushed_ns >= PUSH_PERIOD_NS) {
		/* figures alone: at most once a period, for mwanctl show */
		kernel_push(l, false);
		l->pushed_ns = now_ns();
	}
	next = l->round_ns + health_next_ms(&l->h, &c->hc) * NSEC_PER_MSEC;
	arm(l, next);
}

/*
 * A round's timeout that fires late says the agent, or the whole machine,
 * did not run for a while (a CPU busy with packets, a paused VM). The
 * kernel's stamps cover replies that came in time and were read late, but
 * on a stalled machine the replies themselves were held up as long: the
 * round waits as long again, once and at most a timeout, and counts what
 * comes meanwhile; replies that complete the round end it early as usual.
 */
static bool round_extended(struct alink *l)
{
	uint64_t timeout = l->check->hc.timeout_ms * NSEC_PER_MSEC;
	uint64_t now = now_ns(), late;

	if (l->extended || now < l->due_ns + LATE_NS)
		return false;
	late = now - l->due_ns;
	l->due_ns += late < timeout ? late : timeout;
	l->extended = true;
	arm(l, l->due_ns);
	return true;
}

/*
 * The timeout: what came in time counts, also if the agent had no chance
 * to read it yet (busy, or not scheduled): its stamp says when it came.
 */
static void round_timeout(struct alink *l)
{
	unsigned int k;

	probe_drain(l);
	for (k = 0; k < n_probes(l) && l->in_round; k++)
		sockprobe_drain(&l->probes[k]);
	if (l->in_round && !round_extended(l))
		round_end(l);
}

static void timer_fired(struct watch *w)
{
	struct alink *l = (void *)((char *)w - offsetof(struct alink, timer));
	uint64_t n;

	if (read(w->fd, &n, sizeof(n)) < 0)
		return;
	if (l->in_round)
		round_timeout(l);
	else if (l->h.carrier)
		round_begin(l);
}

void link_answered(struct alink *l, struct probe *p, uint64_t at_ns)
{
	/* read when the round ends, but come too late */
	if (!l->in_round || p->answered || p->lost || at_ns > l->due_ns)
		return;
	p->answered = true;
	p->rtt_us = at_ns > p->sent_ns ? (at_ns - p->sent_ns) / 1000 : 0;
	/* all in: no need to wait for the timeout */
	if (!l->starting && round_over(l))
		round_end(l);
}

void link_lost(struct alink *l, struct probe *p)
{
	if (!l->in_round || p->answered || p->lost)
		return;
	p->lost = true;
	if (!l->starting && round_over(l))
		round_end(l);
}

void link_reply(struct alink *l, uint16_t seq, int family, const void *addr,
		uint64_t at_ns)
{
	const struct check *c = l->check;
	uint16_t k = seq - l->seq;
	const struct check_target *t;

	if (!l->in_round || k >= n_probes(l))
		return;
	t = &c->targets[k / c->hc.count];
	if (t->method != CHECK_ICMP || t->family != family ||
	    memcmp(t->addr, addr, family == AF_INET ? 4 : 16))
		return;
	link_answered(l, &l->probes[k], at_ns);
}

void link_carrier(struct alink *l, bool up, const char *why)
{
	bool had = l->h.carrier;
	enum health_change ch = health_carrier(&l->h, up, why);

	if (had == up)
		return;
	if (!up) {
		/* a round without carrier says nothing about the path */
		round_close(l);
		disarm(l);
		if (ch != HEALTH_SAME)
			went(l, ch, "");
		else
			agent_log("%s: %s, already down", l->name, why);
		return;
	}
	agent_log("%s: carrier back on %s, probing", l->name, l->dev);
	arm(l, now_ns());
}

static int open_sockets(struct alink *l)
{
	const struct check *c = l->check;
	bool v4 = false, v6 = false;
	unsigned int i;
	int err = 0;

	for (i = 0; i < c->n_targets; i++) {
		if (c->targets[i].method != CHECK_ICMP)
			continue;
		v4 |= c->targets[i].family == AF_INET;
		v6 |= c->targets[i].family == AF_INET6;
	}
	if (v4)
		err = probe_open(l, AF_INET);
	if (!err && v6)
		err = probe_open(l, AF_INET6);
	return err;
}

/*
 * DNS and TCP probes take a socket each per round: up to targets x count
 * (128) per link at once, more than the usual soft limit of 1024 open
 * files allows over many links. Nothing here uses select(), so the hard
 * limit is as good.
 */
static void raise_fd_limit(const struct check *c)
{
	struct rlimit rl;
	unsigned int i;

	for (i = 0; i < c->n_targets; i++)
		if (c->targets[i].method != CHECK_ICMP)
			break;
	if (i == c->n_targets || getrlimit(RLIMIT_NOFILE, &rl) ||
	    rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

int link_start(struct alink *l)
{
	char targets[TARGETS_TEXT_MAX];

	l->timer.fd = timerfd_create(CLOCK_MONOTONIC,
				     TFD_CLOEXEC | TFD_NONBLOCK);
	if (l->timer.fd < 0) {
		pr_err("%s: cannot make a timer: %s", l->name, strerror(errno));
		return -errno;
	}
	l->timer.fn = timer_fired;
	if (agent_watch(l->agent, &l->timer) || open_sockets(l))
		return -EIO;
	raise_fd_limit(l->check);
	targets_text(l->check, NULL, targets, sizeof(targets));
	agent_log("%s: checking %s on %s every %u ms, %u of %u to answer, starting %s",
		  l->name, targets, l->dev, l->check->hc.interval_ms,
		  l->check->hc.reliability, l->check->n_targets,
		  state_name(l->h.up));
	arm(l, now_ns());
	return 0;
}

void link_stop(struct alink *l)
{
	if (l->in_round)
		round_close(l);
	if (l->timer.fd >= 0)
		close(l->timer.fd);
	if (l->sock4.fd >= 0)
		close(l->sock4.fd);
	if (l->sock6.fd >= 0)
		close(l->sock6.fd);
}
