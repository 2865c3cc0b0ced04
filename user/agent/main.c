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
#include "prefix.h"
#include "routing.h"

#ifndef MWAN_VERSION
#define MWAN_VERSION "unknown"
#endif

#define DEFAULT_CONF	"/etc/mwan/mwan.conf"

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

static void signalled(struct watch *w)
{
	struct agent *a = (void *)((char *)w - offsetof(struct agent, sig));
	struct signalfd_siginfo si;

	while (read(w->fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			a->reload = true;
			break;
		case SIGCHLD:
			hooks_reap();
			break;
		default:
			agent_log("%s, exiting; the kernel keeps its configuration",
				  strsignal(si.ssi_signo));
			notify_stopping();
			a->stop = true;
		}
	}
}

static int watch_signals(struct agent *a)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	a->sig.fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (a->sig.fd < 0)
		return -errno;
	a->sig.fn = signalled;
	return agent_watch(a, &a->sig);
}

static int run(struct agent *a)
{
	struct epoll_event ev[16];
	int n, k;

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
		/* between events: nothing of the old file is half-handled */
		if (a->reload && !a->stop) {
			a->reload = false;
			agent_reload(a);
		}
		notify_status(a);
	}
	return 0;
}

/* In JSON mode an error is an event like the others */
static void error_event(const char *msg)
{
	struct log_event e = { .what = "error" };

	agent_event(&e, "%s", msg);
}

static int agent_main(const char *fname)
{
	struct agent a = { .epfd = -1, .fname = fname };
	int err, claim;

	claim = instance_claim();
	if (claim < 0)
		return 1;
	err = agent_conf_load(fname, &a.cfg, &a.conf);
	if (!err)
		err = mwan_nl_open(&a.nl);
	if (!err) {
		a.epfd = epoll_create1(EPOLL_CLOEXEC);
		err = a.epfd < 0 ? -errno : watch_signals(&a);
	}
	if (!err)
		err = notify_watchdog_start(&a);
	if (!err)
		err = agent_start(&a);
	if (!err) {
		notify_ready(&a);
		err = run(&a);
	}
	agent_stop(&a);
	notify_close();
	if (a.epfd >= 0)
		close(a.epfd);
	if (a.nl.sk)
		mwan_nl_close(&a.nl);
	agent_conf_release(&a.conf);
	mwan_config_release(&a.cfg);
	close(claim);
	return err ? 1 : 0;
}

static int check_only(const char *fname)
{
	struct mwan_config cfg = { 0 };
	struct agent_conf ac;
	int err;

	err = agent_conf_load(fname, &cfg, &ac);
	if (!err)
		printf("%s: ok, %u links, %u policies, %u rules, %u checks, routing %s\n",
		       fname, cfg.n_links, cfg.n_policies, cfg.n_rules,
		       ac.checks.n, ac.routing.off ? "off" : "on");
	agent_conf_release(&ac);
	mwan_config_release(&cfg);
	return err ? 1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: mwan-agent [-c FILE] [-n NETNS] [--log-json]\n"
		"       mwan-agent [-n NETNS] --check [FILE]\n"
		"       mwan-agent [-n NETNS] --cleanup\n"
		"       mwan-agent --help | --version\n"
		"Applies FILE (default " DEFAULT_CONF ", see mwan.conf(5)) and\n"
		"keeps the state of its checked links in step with their probes.\n"
		"  -c, --config FILE  the configuration file\n"
		"      --log-json     log one JSON object per line\n"
		"      --check [FILE] only check the file, change nothing\n"
		"      --cleanup      remove the routes and rules the agent made\n"
		"  -n, --netns NETNS  work in network namespace NETNS\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", optional_argument, NULL, 'C' },
		{ "cleanup", no_argument, NULL, 'X' },
		{ "log-json", no_argument, NULL, 'J' },
		{ "netns", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ }
	};
	const char *fname = DEFAULT_CONF;
	bool check = false, cleanup = false;
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
		case 'X':
			cleanup = true;
			break;
		case 'J':
			log_json(true);
			pr_err_sink(error_event);
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
	if (check && cleanup) {
		pr_err("--check and --cleanup exclude each other");
		return 1;
	}
	if (cleanup) {
		/* a running agent would put it all back */
		c = instance_claim();
		if (c < 0)
			return 1;
		return routing_cleanup() ? 1 : 0;
	}
	/* a pipe as stderr (a logger) must not stop us when it goes */
	signal(SIGPIPE, SIG_IGN);
	return check ? check_only(fname) : agent_main(fname);
}
