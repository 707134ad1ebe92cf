// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket. Requests are lines:
 *
 *   status
 *   acquire NAME TTL_MS [TIMEOUT_MS]
 *   renew NAME TTL_MS
 *   release NAME
 *
 * and answers are lines too, the status report ending with "end". Lease
 * answers come when the cluster decides, so they may interleave with
 * other answers; each names its resource. See dleased(8).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

#define DLD_LINE_MAX	512
#define DLD_OUT_MAX	(256 * 1024)	/* a client that reads nothing */
#define DLD_MAX_CONNS	64

/**
 * struct dld_conn - one client of the control socket
 * @rq: its requester identity towards the bridge
 * @watch: its socket
 * @ctl: control socket
 * @next: list link
 * @dead: to be closed by dld_control_reap()
 * @next_id: request id of its next request
 * @in_len: bytes in @in
 * @in: partial input line
 * @out_len: bytes in @out waiting to be sent
 * @out: output buffer
 */
struct dld_conn {
	struct dld_requester rq;
	struct dld_watch watch;
	struct dld_control *ctl;
	struct dld_conn *next;
	bool dead;
	uint64_t next_id;
	size_t in_len;
	char in[DLD_LINE_MAX];
	size_t out_len;
	char *out;
};

static void dld_conn_kill(struct dld_conn *c)
{
	c->dead = true;
	c->ctl->reap = true;
}

static void dld_conn_flush(struct dld_conn *c)
{
	struct dld_loop *loop = &c->ctl->d->loop;
	ssize_t n;

	while (c->out_len && !c->dead) {
		n = send(c->watch.fd, c->out, c->out_len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0) {
			dld_conn_kill(c);
			return;
		}
		memmove(c->out, c->out + n, c->out_len - (size_t)n);
		c->out_len -= (size_t)n;
	}
	dld_loop_mod(loop, &c->watch, EPOLLIN | (c->out_len ? EPOLLOUT : 0));
}

static void dld_conn_write(struct dld_conn *c, const char *text, size_t len)
{
	char *out;

	if (c->dead)
		return;
	if (c->out_len + len > DLD_OUT_MAX) {
		dld_warn("control: a client does not read its answers, closing");
		dld_conn_kill(c);
		return;
	}
	out = realloc(c->out, c->out_len + len);
	if (!out) {
		dld_conn_kill(c);
		return;
	}
	memcpy(out + c->out_len, text, len);
	c->out = out;
	c->out_len += len;
	dld_conn_flush(c);
}

static void dld_conn_printf(struct dld_conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void dld_conn_printf(struct dld_conn *c, const char *fmt, ...)
{
	char line[DLD_LINE_MAX + 256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	dld_conn_write(c, line, (size_t)n < sizeof(line) ? (size_t)n :
		       sizeof(line) - 1);
}

static const char *dld_errname(int error)
{
	const char *name = strerrorname_np(-error);

	return name ? name : "EUNKNOWN";
}

static void dld_conn_answer(struct dld_requester *rq,
			    const struct dld_answer *a)
{
	struct dld_conn *c = container_of(rq, struct dld_conn, rq);
	int len = a->name_len;

	switch (a->type) {
	case DLD_ANS_GRANTED:
	case DLD_ANS_RENEWED:
		dld_conn_printf(c, "%s %.*s token=%llu expiry=%llu deadline=%llu phases=%u\n",
				a->type == DLD_ANS_GRANTED ? "granted" :
				"renewed", len, a->name,
				(unsigned long long)a->token,
				(unsigned long long)a->expiry,
				(unsigned long long)a->deadline, a->phases);
		break;
	case DLD_ANS_DENIED:
	case DLD_ANS_LOST:
		dld_conn_printf(c, "%s %.*s error=%s\n",
				a->type == DLD_ANS_DENIED ? "denied" : "lost",
				len, a->name, dld_errname(a->error));
		break;
	case DLD_ANS_RELEASED:
		dld_conn_printf(c, "released %.*s\n", len, a->name);
		break;
	case DLD_ANS_WAIT:
		dld_conn_printf(c, "wait %.*s position=%u wait-ms=%llu\n",
				len, a->name, a->position,
				(unsigned long long)(a->wait_ns / 1000000));
		break;
	case DLD_ANS_BREAK:
		dld_conn_printf(c, "break %.*s token=%llu\n", len, a->name,
				(unsigned long long)a->token);
		break;
	}
}

static int dld_parse_ms(const char *s, uint64_t *ns)
{
	unsigned long long ms;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	ms = strtoull(s, &end, 10);
	if (errno || *end || ms > UINT32_MAX)
		return -EINVAL;
	*ns = ms * 1000000ull;
	return 0;
}

/* "acquire NAME TTL_MS [TIMEOUT_MS]", "renew NAME TTL_MS", "release NAME" */
static int dld_conn_request(struct dld_conn *c, int op, char **arg, int n)
{
	struct dld_daemon *d = c->ctl->d;
	struct dld_request req = { .op = op, .id = ++c->next_id };
	size_t len = strlen(arg[0]);
	int want = op == DLD_OP_RELEASE ? 1 : 2;

	if (n < want || n > want + (op == DLD_OP_ACQUIRE))
		return -EINVAL;
	if (!len || len > DL_NAME_MAX)
		return -ENAMETOOLONG;
	req.name_len = (uint8_t)len;
	memcpy(req.name, arg[0], len);
	if (op != DLD_OP_RELEASE && dld_parse_ms(arg[1], &req.ttl_ns))
		return -EINVAL;
	if (n == 3 && dld_parse_ms(arg[2], &req.timeout_ns))
		return -EINVAL;
	dld_daemon_flush(d, dld_bridge_submit(&d->bridge, &c->rq, &req,
					      dld_clock_now(&d->clock)));
	return 0;
}

static void dld_conn_status(struct dld_conn *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&text, &len);
	if (!f) {
		dld_conn_printf(c, "error out of memory\n");
		return;
	}
	dld_status_write(c->ctl->d, f);
	fclose(f);
	dld_conn_write(c, text, len);
	free(text);
}

static void dld_conn_line(struct dld_conn *c, char *line)
{
	static const char *const ops[] = {
		[DLD_OP_ACQUIRE] = "acquire", [DLD_OP_RENEW] = "renew",
		[DLD_OP_RELEASE] = "release",
	};
	char *word[6], *save;
	int n = 0, op, err = -EINVAL;

	for (word[n] = strtok_r(line, " \t\r", &save); word[n] && n < 5;
	     word[n] = strtok_r(NULL, " \t\r", &save))
		n++;
	if (!n)
		return;
	if (!strcmp(word[0], "status") && n == 1) {
		dld_conn_status(c);
		return;
	}
	for (op = DLD_OP_ACQUIRE; op <= DLD_OP_RELEASE; op++)
		if (!strcmp(word[0], ops[op]))
			err = n > 1 ? dld_conn_request(c, op, word + 1, n - 1) :
				      -EINVAL;
	if (err)
		dld_conn_printf(c, "error %s: expected status, acquire NAME TTL_MS [TIMEOUT_MS], renew NAME TTL_MS or release NAME\n",
				dld_errname(err));
}

static void dld_conn_read(struct dld_conn *c)
{
	char *nl;
	ssize_t n;

	n = recv(c->watch.fd, c->in + c->in_len, sizeof(c->in) - c->in_len,
		 0);
	if (n <= 0) {
		if (!n || (errno != EAGAIN && errno != EINTR))
			dld_conn_kill(c);
		return;
	}
	c->in_len += (size_t)n;
	while (!c->dead && (nl = memchr(c->in, '\n', c->in_len))) {
		*nl = '\0';
		dld_conn_line(c, c->in);
		c->in_len -= (size_t)(nl + 1 - c->in);
		memmove(c->in, nl + 1, c->in_len);
	}
	if (c->in_len == sizeof(c->in)) {
		dld_conn_printf(c, "error line too long\n");
		dld_conn_kill(c);
	}
}

static void dld_conn_ready(struct dld_watch *w, uint32_t events)
{
	struct dld_conn *c = container_of(w, struct dld_conn, watch);

	if (c->dead)
		return;
	if (events & EPOLLIN)
		dld_conn_read(c);
	if (events & EPOLLOUT)
		dld_conn_flush(c);
	if (events & (EPOLLERR | EPOLLHUP) && !(events & EPOLLIN))
		dld_conn_kill(c);
}

static void dld_control_accept(struct dld_watch *w, uint32_t events)
{
	struct dld_control *ctl = container_of(w, struct dld_control, watch);
	struct dld_conn *c;
	int fd;

	fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	c = ctl->n_conns < DLD_MAX_CONNS ? calloc(1, sizeof(*c)) : NULL;
	if (!c) {
		dld_warn("control: refusing a connection (%u open)",
			 ctl->n_conns);
		close(fd);
		return;
	}
	c->rq.kind = "control";
	c->rq.answer = dld_conn_answer;
	c->ctl = ctl;
	if (dld_loop_add(&ctl->d->loop, &c->watch, fd, dld_conn_ready,
			 EPOLLIN)) {
		close(fd);
		free(c);
		return;
	}
	c->next = ctl->conns;
	ctl->conns = c;
	ctl->n_conns++;
}

static void dld_conn_free(struct dld_control *ctl, struct dld_conn *c)
{
	dld_loop_del(&ctl->d->loop, &c->watch);
	close(c->watch.fd);
	free(c->out);
	free(c);
	ctl->n_conns--;
}

/**
 * dld_control_reap() - close the connections marked dead
 * @ctl: control socket
 *
 * Their leases are released in the cluster and their acquires
 * cancelled. Called by the loop between batches of events, so no
 * handler of the batch can see a freed connection.
 */
void dld_control_reap(struct dld_control *ctl)
{
	struct dld_daemon *d = ctl->d;
	struct dld_conn **pos = &ctl->conns, *c;

	ctl->reap = false;
	while (*pos) {
		c = *pos;
		if (!c->dead) {
			pos = &c->next;
			continue;
		}
		*pos = c->next;
		dld_daemon_flush(d, dld_bridge_detach(&d->bridge, &c->rq,
						      dld_clock_now(&d->clock)));
		dld_conn_free(ctl, c);
	}
}

/* Is a daemon answering on @sun already? */
static bool dld_control_in_use(const struct sockaddr_un *sun)
{
	bool used;
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	used = !connect(fd, (const struct sockaddr *)sun, sizeof(*sun));
	close(fd);
	return used;
}

/**
 * dld_control_open() - create the control socket
 * @ctl: control socket
 * @d: daemon
 *
 * A stale socket file is replaced; a live one (another daemon answers
 * on it) is an error.
 *
 * Return: 0 or a negative errno (logged).
 */
int dld_control_open(struct dld_control *ctl, struct dld_daemon *d)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = d->conf->control_socket;
	mode_t mask;
	int fd, err;

	memset(ctl, 0, sizeof(*ctl));
	ctl->d = d;
	strcpy(sun.sun_path, path);
	if (dld_control_in_use(&sun)) {
		errno = EADDRINUSE;
		goto fail;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	unlink(path);
	mask = umask(0117);
	err = bind(fd, (struct sockaddr *)&sun, sizeof(sun));
	umask(mask);
	if (err || listen(fd, 16))
		goto close_fd;
	err = dld_loop_add(&d->loop, &ctl->watch, fd, dld_control_accept,
			   EPOLLIN);
	if (err) {
		errno = -err;
		goto unlink_path;
	}
	return 0;

unlink_path:
	unlink(path);
close_fd:
	err = errno;
	close(fd);
	errno = err;
fail:
	dld_err("control socket %s: %s", path, strerror(errno));
	return -errno;
}

/**
 * dld_control_close() - close every connection and the socket
 * @ctl: control socket
 */
void dld_control_close(struct dld_control *ctl)
{
	struct dld_conn *c;

	while (ctl->conns) {
		c = ctl->conns;
		ctl->conns = c->next;
		dld_conn_flush(c);
		dld_conn_free(ctl, c);
	}
	if (!ctl->d)
		return;
	dld_loop_del(&ctl->d->loop, &ctl->watch);
	close(ctl->watch.fd);
	unlink(ctl->d->conf->control_socket);
	ctl->d = NULL;
}
