/*
 * bus.h - the daemon's two nanomsg sockets: a raw REP socket for commands
 * (many requests in flight at once) and a PUB socket for journal records.
 */
#pragma once

#include <stddef.h>

struct gj_bus;

/** A received request: its body and the routing header its reply needs. */
struct gj_bus_msg {
	void *body;             /**< nanomsg-allocated */
	size_t len;
	void *control;          /**< nanomsg-allocated routing header */
};

/** Translate a nanomsg failure (errno after a -1 return) to a negative errno. */
int gj_nn_error(void);

/**
 * Bind the command socket to cmd_url and the event socket to event_url.
 * @param max_msg  the largest message accepted on the command socket
 */
int gj_bus_open(const char *cmd_url, const char *event_url, size_t max_msg,
		struct gj_bus **ret);
void gj_bus_close(struct gj_bus *bus);

/** A file descriptor that polls readable when a request may be waiting. */
int gj_bus_cmd_fd(struct gj_bus *bus, int *ret_fd);

/** Take one request without waiting; -EAGAIN when none is waiting. */
int gj_bus_recv(struct gj_bus *bus, struct gj_bus_msg *ret);

/** Reply to a received request (consumes its routing header). */
int gj_bus_reply(struct gj_bus *bus, struct gj_bus_msg *msg, const void *buf, size_t len);

/** Free a request's buffers (and the header, if not consumed by a reply). */
void gj_bus_msg_free(struct gj_bus_msg *msg);

/** Publish one message (topic NUL record). Never blocks; drops when full. */
int gj_bus_publish(struct gj_bus *bus, const void *msg, size_t len);
