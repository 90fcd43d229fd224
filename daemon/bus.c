/*
 * bus.c - nanomsg sockets of the daemon.
 *
 * The command socket is a raw-mode REP socket: raw mode hands us each
 * request with its routing header instead of enforcing one request at a
 * time, so a loop turn can drain many requests, commit them together and
 * only then reply to each (group commit).
 */
#include "bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nanomsg/nn.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/reqrep.h>

#define PUB_SNDBUF (4 * 1024 * 1024)

struct gj_bus {
	int cmd;
	int pub;
};

int gj_nn_error(void)
{
	int e = nn_errno();

	return e > 0 ? -e : -EIO;
}

static void unlink_ipc(const char *url)
{
	/* A daemon killed with -9 leaves its socket file behind; binding
	 * over it would fail.  The data directory's lock (main.c) guarantees
	 * that no other daemon is using it. */
	if (strncmp(url, "ipc://", 6) == 0)
		unlink(url + 6);
}

int gj_bus_open(const char *cmd_url, const char *event_url, size_t max_msg,
		struct gj_bus **ret)
{
	struct gj_bus *bus = calloc(1, sizeof(*bus));
	int rc, sz = PUB_SNDBUF, maxsz = (int)max_msg;

	if (!bus)
		return -ENOMEM;
	bus->cmd = bus->pub = -1;
	bus->cmd = nn_socket(AF_SP_RAW, NN_REP);
	if (bus->cmd < 0)
		goto fail;
	if (nn_setsockopt(bus->cmd, NN_SOL_SOCKET, NN_RCVMAXSIZE, &maxsz, sizeof(maxsz)) < 0)
		goto fail;
	unlink_ipc(cmd_url);
	if (nn_bind(bus->cmd, cmd_url) < 0)
		goto fail;
	bus->pub = nn_socket(AF_SP, NN_PUB);
	if (bus->pub < 0)
		goto fail;
	if (nn_setsockopt(bus->pub, NN_SOL_SOCKET, NN_SNDBUF, &sz, sizeof(sz)) < 0)
		goto fail;
	unlink_ipc(event_url);
	if (nn_bind(bus->pub, event_url) < 0)
		goto fail;
	*ret = bus;
	return 0;
fail:
	rc = gj_nn_error();
	gj_bus_close(bus);
	return rc;
}

void gj_bus_close(struct gj_bus *bus)
{
	if (!bus)
		return;
	if (bus->cmd >= 0)
		nn_close(bus->cmd);
	if (bus->pub >= 0)
		nn_close(bus->pub);
	free(bus);
}

int gj_bus_cmd_fd(struct gj_bus *bus, int *ret_fd)
{
	int fd;
	size_t sz = sizeof(fd);

	if (nn_getsockopt(bus->cmd, NN_SOL_SOCKET, NN_RCVFD, &fd, &sz) < 0)
		return gj_nn_error();
	*ret_fd = fd;
	return 0;
}

int gj_bus_recv(struct gj_bus *bus, struct gj_bus_msg *ret)
{
	struct nn_msghdr hdr;
	struct nn_iovec iov;
	void *body = NULL, *control = NULL;
	int n;

	memset(&hdr, 0, sizeof(hdr));
	iov.iov_base = &body;
	iov.iov_len = NN_MSG;
	hdr.msg_iov = &iov;
	hdr.msg_iovlen = 1;
	hdr.msg_control = &control;
	hdr.msg_controllen = NN_MSG;
	n = nn_recvmsg(bus->cmd, &hdr, NN_DONTWAIT);
	if (n < 0)
		return gj_nn_error();
	ret->body = body;
	ret->len = (size_t)n;
	ret->control = control;
	return 0;
}

int gj_bus_reply(struct gj_bus *bus, struct gj_bus_msg *msg, const void *buf, size_t len)
{
	struct nn_msghdr hdr;
	struct nn_iovec iov;

	memset(&hdr, 0, sizeof(hdr));
	iov.iov_base = (void *)buf;
	iov.iov_len = len;
	hdr.msg_iov = &iov;
	hdr.msg_iovlen = 1;
	hdr.msg_control = &msg->control;
	hdr.msg_controllen = NN_MSG;
	/* Non-blocking: a peer that went away must not stall the loop. */
	if (nn_sendmsg(bus->cmd, &hdr, NN_DONTWAIT) < 0)
		return gj_nn_error();
	msg->control = NULL; /* nanomsg took it */
	return 0;
}

void gj_bus_msg_free(struct gj_bus_msg *msg)
{
	if (msg->body)
		nn_freemsg(msg->body);
	if (msg->control)
		nn_freemsg(msg->control);
	msg->body = msg->control = NULL;
}

int gj_bus_publish(struct gj_bus *bus, const void *msg, size_t len)
{
	if (nn_send(bus->pub, msg, len, NN_DONTWAIT) < 0)
		return gj_nn_error();
	return 0;
}
