/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small facade over libmnl for talking to the mwan generic netlink family:
 * open a socket with extended acks, resolve the family (which also makes the
 * kernel autoload the module), send a request and collect its replies until
 * the ack, dump with retries, and listen to the events group.
 */
#ifndef MWAN_NL_H
#define MWAN_NL_H

#include <stdbool.h>
#include <stdint.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/mwan.h>

#include "util.h"

/* Requests we build; a policy with every possible member fits easily. */
#define MWAN_MSG_SIZE		16384
/* Replies: the kernel sizes dump skbs up to 32 KiB, leave headroom. */
#define MWAN_NL_RBUF_SIZE	65536

/* A request buffer on the stack, aligned for struct nlmsghdr */
#define MWAN_MSG_BUF(name) \
	char name[MWAN_MSG_SIZE] __aligned(8)

struct mwan_nl {
	struct mnl_socket *sk;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;	/* generic netlink family id of "mwan" */
	uint32_t version;	/* the family version the kernel reports */
	uint32_t events_group;	/* multicast group id, 0 if none */
	void *rbuf;

	/* extack of the last request */
	char ext_msg[256];
	uint32_t ext_offs;	/* offset of the offending attribute, 0: none */
	int ext_miss_type;	/* -1: none */
	bool dump_intr;
};

/* Called for each reply message; return 0 or a negative errno. */
typedef int (*mwan_cb_t)(const struct nlmsghdr *nlh, void *data);

/* Prints why it failed ("mwan kernel module not loaded", ...). */
int mwan_nl_open(struct mwan_nl *nl);
void mwan_nl_close(struct mwan_nl *nl);

/* Start a request for @cmd in @buf (MWAN_MSG_SIZE bytes unless told). */
struct nlmsghdr *mwan_msg_init(void *buf, uint16_t family, uint8_t cmd,
			       uint16_t flags);

/*
 * Send @nlh (NLM_F_ACK is added) and feed replies to @cb until the ack.
 * Returns 0 or a negative errno; the _quiet variant leaves the reporting to
 * the caller (mwan_nl_perror()), the other prints "Error: ..." itself.
 */
int mwan_nl_request(struct mwan_nl *nl, struct nlmsghdr *nlh,
		    mwan_cb_t cb, void *data);
int mwan_nl_request_quiet(struct mwan_nl *nl, struct nlmsghdr *nlh,
			  mwan_cb_t cb, void *data);

/*
 * Dump @cmd into @cb. A dump that raced a change (NLM_F_DUMP_INTR, EINTR) is
 * retried from scratch after @reset(@data) dropped what was collected.
 * Prints errors.
 */
int mwan_nl_dump(struct mwan_nl *nl, uint8_t cmd, mwan_cb_t cb,
		 void (*reset)(void *data), void *data);

/* "Error: <extack message>" or "Error: <strerror>" on stderr */
void mwan_nl_perror(const struct mwan_nl *nl, int err);
/* mwan_nl_perror() on failure, "Warning: <extack message>" on success */
void mwan_nl_report(const struct mwan_nl *nl, int err);

/* Join the events group, then hand each event to @cb until an error. */
int mwan_nl_subscribe(struct mwan_nl *nl);
int mwan_nl_listen(struct mwan_nl *nl, mwan_cb_t cb, void *data);

#endif /* MWAN_NL_H */
