// SPDX-License-Identifier: GPL-2.0
/*
 * mwan-agent: applies mwan.conf(5) to the kernel, then watches the links
 * that have a check and sets each up or down as its probes and carrier
 * say. A foreground daemon; one line on stderr per event.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "confparse.h"
#include "netns.h"

#ifndef MWAN_VERSION
#define MWAN_VERSION "unknown"
#endif

#define DEFAULT_CONF	"/etc/mwan/mwan.conf"

void agent_log(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	/* one write per line: lines of concurrent writers stay whole */
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: %s\n", program_invocation_short_name, line);
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int agent_watch(struct agent *a, struct watch *w)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };

	if (epoll_ctl(a->epfd, EPOLL_CTL_ADD, w->fd, &ev)) {
		pr_err("epoll: %s", strerror(errno));
		return -errno;
	}
	return 0;
}

/* The whole file, the mwanctl part and the checks; errors printed. */
static int load(const char *fname, struct mwan_config *cfg,
		struct checks *cs)
{
	FILE *f = fopen(fname, "r");
	int err;

	if (!f) {
		pr_err("cannot open %s: %s", fname, strerror(errno));
		return -errno;
	}
	err = config_parse_agent(f, fname, cfg, check_line, cs);
	fclose(f);
	if (!err)
		err = checks_resolve(cs, cfg, fname);
	return err;
}

static void signalled(struct watch *w)
{
	struct agent *a = (void *)((char *)w - offsetof(struct agent, sig));
	struct signalfd_siginfo si;

	if (read(w->fd, &si, sizeof(si)) != sizeof(si))
		return;
	agent_log("%s, exiting; the kernel keeps its configuration",
		  strsignal(si.ssi_signo));
	notify_stopping();
	a->stop = true;
}

static int watch_signals(struct agent *a)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	a->sig.fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (a->sig.fd < 0)
		return -errno;
	a->sig.fn = signalled;
	return agent_watch(a, &a->sig);
}

static int links_init(struct agent *a, const struct checks *cs)
{
	unsigned int i;

	a->links = calloc(cs->n ? cs->n : 1, sizeof(*a->links));
	if (!a->links)
		return -ENOMEM;
	a->n_links = cs->n;
	for (i = 0; i < cs->n; i++) {
		struct alink *l = &a->links[i];

		l->agent = a;
		l->check = &cs->v[i];
		l->name = cs->v[i].link;
		l->timer.fd = l->sock4.fd = l->sock6.fd = -1;
		/* our echo id: apart from other pingers and other links */
		l->ident = (getpid() << 4) + i;
	}
	return 0;
}

static int run(struct agent *a)
{
	struct epoll_event ev[16];
	unsigned int i;
	int n, k;

	for (i = 0; i < a->n_links; i++)
		if (link_start(&a->links[i]))
			return -EIO;
	if (!a->n_links)
		agent_log("no link has a check: nothing to watch");
	notify_ready(a);
	while (!a->stop) {
		n = epoll_wait(a->epfd, ev, ARRAY_SIZE(ev), -1);
		if (n < 0 && errno != EINTR) {
			pr_err("epoll: %s", strerror(errno));
			return -errno;
		}
		for (k = 0; k < n && !a->stop; k++) {
			struct watch *w = ev[k].data.ptr;

			w->fn(w);
		}
		notify_status(a);
	}
	return 0;
}

static int agent_main(const char *fname)
{
	struct mwan_config cfg = { 0 };
	struct agent a = { .epfd = -1 };
	struct checks cs = { 0 };
	unsigned int i;
	int err;

	err = load(fname, &cfg, &cs);
	if (err)
		goto out;
	err = mwan_nl_open(&a.nl);
	if (err)
		goto out;
	err = config_apply(&a.nl, &cfg, fname);
	if (!err) {
		agent_log("%s applied: %u links, %u policies, %u rules, %u checks",
			  fname, cfg.n_links, cfg.n_policies, cfg.n_rules,
			  cs.n);
		err = links_init(&a, &cs);
	}
	if (!err)
		err = kernel_read_links(&a);
	if (!err) {
		a.epfd = epoll_create1(EPOLL_CLOEXEC);
		err = a.epfd < 0 ? -errno : watch_signals(&a);
	}
	if (!err)
		err = notify_watchdog_start(&a);
	if (!err)
		err = carrier_open(&a);
	if (!err)
		err = run(&a);
	for (i = 0; i < a.n_links; i++)
		link_stop(&a.links[i]);
	carrier_close(&a);
	notify_close();
	if (a.epfd >= 0)
		close(a.epfd);
	mwan_nl_close(&a.nl);
out:
	free(a.links);
	checks_release(&cs);
	mwan_config_release(&cfg);
	return err ? 1 : 0;
}

static int check_only(const char *fname)
{
	struct mwan_config cfg = { 0 };
	struct checks cs = { 0 };
	int err;

	err = load(fname, &cfg, &cs);
	if (!err)
		printf("%s: ok, %u links, %u policies, %u rules, %u checks\n",
		       fname, cfg.n_links, cfg.n_policies, cfg.n_rules, cs.n);
	checks_release(&cs);
	mwan_config_release(&cfg);
	return err ? 1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: mwan-agent [-c FILE] [-n NETNS]\n"
		"       mwan-agent [-n NETNS] --check [FILE]\n"
		"       mwan-agent --help | --version\n"
		"Applies FILE (default " DEFAULT_CONF ", see mwan.conf(5)) and\n"
		"keeps the state of its checked links in step with their probes.\n"
		"  -c, --config FILE  the configuration file\n"
		"      --check [FILE] only check the file, change nothing\n"
		"  -n, --netns NETNS  work in network namespace NETNS\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", optional_argument, NULL, 'C' },
		{ "netns", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ }
	};
	const char *fname = DEFAULT_CONF;
	bool check = false;
	int c;

	/* before -n NETNS: the service manager's namespace has the socket */
	notify_open();
	while ((c = getopt_long(argc, argv, "c:n:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			fname = optarg;
			break;
		case 'C':
			check = true;
			if (optarg)
				fname = optarg;
			break;
		case 'n':
			if (netns_enter(optarg))
				return 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("mwan-agent %s (mwan netlink API version %d)\n",
			       MWAN_VERSION, MWAN_GENL_VERSION);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	/* "--check FILE" as well as "--check=FILE" */
	if (check && optind < argc)
		fname = argv[optind++];
	if (optind < argc) {
		pr_err("unexpected argument \"%s\"", argv[optind]);
		usage(stderr);
		return 1;
	}
	/* a pipe as stderr (a logger) must not stop us when it goes */
	signal(SIGPIPE, SIG_IGN);
	return check ? check_only(fname) : agent_main(fname);
}
