// SPDX-License-Identifier: GPL-2.0
/*
 * mwanctl exec LINK [--] COMMAND...: every connection COMMAND and its
 * children open leaves by LINK, IPv4 and IPv6, whatever the program is
 * linked against.
 *
 * COMMAND runs in the cgroup MWAN_CGROUP_ROOT/mwan.exec/LINK, which holds
 * a small BPF program (cgroup/sock_create, the mechanism of "ip vrf exec")
 * that gives every IPv4 and IPv6 socket made there the link's mark bits,
 * as SO_MARK would. A mark at creation is what makes IPv6 work: the socket
 * routes by the link's table from connect() on, so it takes its source
 * address from the link too; a rule could only re-route the first packet,
 * whose source the main table already chose (docs/design.md). mwan then
 * binds the connection to the link as it does any pre-set mark.
 *
 * Nothing of it lives in mwan's configuration: a config replace, by hand
 * or by mwan-agent, leaves it alone. Each exec writes the link's current
 * mark into the cgroup again (replacing the program), so a link id that
 * changed takes effect at the next exec.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "cgroup.h"
#include "mwanctl.h"

#define EXEC_CGROUP	"mwan.exec"

static int bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

/* sk->sk_mark = @mark for each new inet socket; the socket is allowed. */
static int load_mark_prog(uint32_t mark)
{
	const struct bpf_insn insns[] = {
		{ .code = BPF_ALU | BPF_MOV | BPF_K, .dst_reg = BPF_REG_2,
		  .imm = (int32_t)mark },
		{ .code = BPF_STX | BPF_MEM | BPF_W, .dst_reg = BPF_REG_1,
		  .src_reg = BPF_REG_2, .off = offsetof(struct bpf_sock, mark) },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_CGROUP_SOCK;
	attr.expected_attach_type = BPF_CGROUP_INET_SOCK_CREATE;
	attr.insns = (uintptr_t)insns;
	attr.insn_cnt = ARRAY_SIZE(insns);
	attr.license = (uintptr_t)"GPL";
	strcpy(attr.prog_name, "mwan_exec");
	return bpf(BPF_PROG_LOAD, &attr);
}

/*
 * Attach without BPF_F_ALLOW_MULTI: a program already there (an earlier
 * exec's) is replaced, so the cgroup holds exactly one, with today's mark.
 */
static int attach_mark_prog(int cgfd, uint32_t mark)
{
	union bpf_attr attr;
	int prog, err;

	prog = load_mark_prog(mark);
	if (prog < 0)
		return -errno;
	memset(&attr, 0, sizeof(attr));
	attr.target_fd = cgfd;
	attr.attach_bpf_fd = prog;
	attr.attach_type = BPF_CGROUP_INET_SOCK_CREATE;
	err = bpf(BPF_PROG_ATTACH, &attr) ? -errno : 0;
	close(prog);
	return err;
}

static int make_dir(const char *path)
{
	if (mkdir(path, 0755) && errno != EEXIST) {
		pr_err("cannot create cgroup %s: %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}

/* The link's cgroup, made if needed, with the program for @mark. */
static int exec_cgroup(const char *link, uint32_t mark, char *path,
		       size_t size)
{
	int fd, err;

	snprintf(path, size, "%s/%s", MWAN_CGROUP_ROOT, EXEC_CGROUP);
	err = make_dir(path);
	if (err)
		return err;
	snprintf(path, size, "%s/%s/%s", MWAN_CGROUP_ROOT, EXEC_CGROUP, link);
	err = make_dir(path);
	if (err)
		return err;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		pr_err("cannot open cgroup %s: %s", path, strerror(errno));
		return -errno;
	}
	err = attach_mark_prog(fd, mark);
	close(fd);
	if (err)
		pr_err("cannot attach the socket mark program to %s: %s",
		       path, strerror(-err));
	return err;
}

/* Move the calling process into @path; its children follow it. */
static int enter_cgroup(const char *path)
{
	char procs[sizeof(MWAN_CGROUP_ROOT) + 2 * MWAN_NAME_MAX + 32];
	int fd, err = 0;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", path);
	fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "0\n", 2) != 2)
		err = -errno;
	if (fd >= 0)
		close(fd);
	if (err)
		pr_err("cannot enter cgroup %s: %s", path, strerror(-err));
	return err;
}

static int exec_args(int argc, char **argv, char *name)
{
	if (!argc) {
		pr_err("missing link name");
		return -E_USAGE;
	}
	if (args_ref_name(argv[0], "link", name))
		return -EINVAL;
	/* "." and ".." are valid link names, but not cgroup names */
	if (name[0] == '.' && (!name[1] || !strcmp(name, ".."))) {
		pr_err("link \"%s\" cannot name a cgroup", name);
		return -EINVAL;
	}
	if (argc < 2 || (argc == 2 && !strcmp(argv[1], "--"))) {
		pr_err("missing command");
		return -E_USAGE;
	}
	return 0;
}

int do_exec(struct ctx *ctx, int argc, char **argv)
{
	char path[sizeof(MWAN_CGROUP_ROOT) + 2 * MWAN_NAME_MAX + 16];
	char name[MWAN_NAME_MAX];
	struct mwan_link l;
	struct mwan_nl *nl;
	int err, cmd;

	err = exec_args(argc, argv, name);
	if (err)
		return err;
	cmd = strcmp(argv[1], "--") ? 1 : 2;
	nl = ctx_nl(ctx);
	if (!nl)
		return -ENOENT;
	err = lookup_link(nl, name, &l);
	if (err)
		return err;
	if (!HAS(&l, MWAN_LINK_A_MARK) || !l.mark) {
		pr_err("malformed reply from the kernel: link \"%s\" has no mark",
		       name);
		return -EBADMSG;
	}
	/* COMMAND must not inherit mwanctl's netlink socket */
	mwan_nl_close(nl);
	ctx->nl_open = false;
	err = exec_cgroup(name, l.mark, path, sizeof(path));
	if (!err)
		err = enter_cgroup(path);
	if (err)
		return err;
	fflush(stdout);
	execvp(argv[cmd], argv + cmd);
	pr_err("cannot run \"%s\": %s", argv[cmd], strerror(errno));
	return -errno;
}
