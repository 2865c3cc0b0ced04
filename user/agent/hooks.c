// SPDX-License-Identifier: GPL-2.0
/*
 * Hooks: the executables of the hooks directory run, in name order, on
 * each change of a link's checks verdict, with the link, its device, old
 * and new state, the reason and the event id in their environment (what
 * mwan3 users put in mwan3.user). One child of the agent runs them for
 * one event at a time, so a hook sees the events in order; the agent never
 * waits for it: probing goes on, and later events queue. A hook that runs
 * past HOOK_TIMEOUT_S is killed.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent.h"

#define HOOK_TIMEOUT_S	30
#define HOOK_QUEUE	64

struct hook_event {
	unsigned int id;
	char link[MWAN_NAME_MAX], dev[IF_NAMESIZE];
	char old_state[8], new_state[8];
	char reason[128];
	bool held;
};

static struct hook_event queue[HOOK_QUEUE];
static unsigned int q_head, q_len;
static pid_t running;
static char hooks_dir[256];

static bool runnable(const struct dirent *d)
{
	size_t len = strlen(d->d_name);

	/* editors' and package managers' leftovers are no hooks */
	return d->d_name[0] != '.' && d->d_name[len - 1] != '~' &&
	       !strstr(d->d_name, ".dpkg-") && !strstr(d->d_name, ".rpm");
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* In the child: each hook in turn, with the event in the environment */
static void run_one(const char *path, const struct hook_event *e)
{
	char id[16];
	pid_t pid;
	int status;

	snprintf(id, sizeof(id), "%u", e->id);
	pid = fork();
	if (pid < 0)
		return;
	if (!pid) {
		setenv("MWAN_LINK", e->link, 1);
		setenv("MWAN_DEVICE", e->dev, 1);
		setenv("MWAN_OLD_STATE", e->old_state, 1);
		setenv("MWAN_NEW_STATE", e->new_state, 1);
		setenv("MWAN_ACTION", e->new_state, 1);
		setenv("MWAN_REASON", e->reason, 1);
		setenv("MWAN_EVENT_ID", id, 1);
		setenv("MWAN_HELD", e->held ? "1" : "0", 1);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	alarm(HOOK_TIMEOUT_S);
	if (waitpid(pid, &status, 0) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		agent_log("hook %s (event %u) ran past %d s: killed", path,
			  e->id, HOOK_TIMEOUT_S);
		return;
	}
	alarm(0);
	if (WIFEXITED(status) && WEXITSTATUS(status))
		agent_log("hook %s (event %u) exited with status %d", path,
			  e->id, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		agent_log("hook %s (event %u) killed by signal %d", path, e->id,
			  WTERMSIG(status));
}

static void run_all(const struct hook_event *e)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct dirent **names;
	char path[512];
	struct stat st;
	sigset_t none;
	int n, i;

	/* a restarted agent must not find this child holding its claim */
	instance_forget();
	/* the agent's blocked signals and signalfd are not the child's */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGTERM, SIG_DFL);
	sigaction(SIGALRM, &sa, NULL);
	n = scandir(hooks_dir, &names, NULL, alphasort);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", hooks_dir,
			 names[i]->d_name);
		if (runnable(names[i]) && !stat(path, &st) &&
		    S_ISREG(st.st_mode) && !access(path, X_OK))
			run_one(path, e);
		free(names[i]);
	}
	if (n >= 0)
		free(names);
	_exit(0);
}

static void start_next(void)
{
	struct hook_event *e;

	if (running || !q_len)
		return;
	e = &queue[q_head];
	running = fork();
	if (running < 0) {
		agent_log("cannot run hooks for event %u: %s", e->id,
			  strerror(errno));
		running = 0;
	} else if (!running) {
		run_all(e);
	}
	q_head = (q_head + 1) % HOOK_QUEUE;
	q_len--;
}

void hooks_run(struct agent *a, const struct alink *l, unsigned int id,
	       const char *old_state, const char *new_state,
	       const char *reason)
{
	struct hook_event *e;
	struct stat st;

	snprintf(hooks_dir, sizeof(hooks_dir), "%s", a->conf.hooks);
	if (stat(hooks_dir, &st) || !S_ISDIR(st.st_mode))
		return;
	if (q_len == HOOK_QUEUE) {
		agent_log("hooks: %d events wait already: event %u runs none",
			  HOOK_QUEUE, id);
		return;
	}
	e = &queue[(q_head + q_len++) % HOOK_QUEUE];
	memset(e, 0, sizeof(*e));
	e->id = id;
	e->held = l->held;
	snprintf(e->link, sizeof(e->link), "%s", l->name);
	snprintf(e->dev, sizeof(e->dev), "%s", l->dev);
	snprintf(e->old_state, sizeof(e->old_state), "%s", old_state);
	snprintf(e->new_state, sizeof(e->new_state), "%s", new_state);
	snprintf(e->reason, sizeof(e->reason), "%s", reason);
	start_next();
}

/* SIGCHLD: the hooks of an event are done; the next event's may go */
void hooks_reap(void)
{
	pid_t pid;

	while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
		if (pid == running)
			running = 0;
	start_next();
}
