// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/dlease: sessions, ioctl decoding and validation, read() and poll().
 *
 * Everything a user passes is checked here, before the lease engine sees
 * it: unknown flags, non-zero reserved fields and malformed names fail
 * with EINVAL and change nothing.
 */

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <net/net_namespace.h>

#include "dlease.h"

static bool dlease_zeroed(const void *p, size_t len)
{
	return !memchr_inv(p, 0, len);
}

static int dlease_open(struct inode *inode, struct file *file)
{
	struct net *net = current->nsproxy->net_ns;
	struct dlease_session *sess;
	int err = -ENOMEM;

	sess = kzalloc(sizeof(*sess), GFP_KERNEL_ACCOUNT);
	if (!sess)
		return -ENOMEM;
	sess->dn = dlease_net(net);
	sess->user = dlease_user_get(file->f_cred->euid);
	if (!sess->user)
		goto err_free;
	err = dlease_events_init(sess, READ_ONCE(sess->dn->limits.max_events));
	if (err)
		goto err_user;
	xa_init_flags(&sess->leases, XA_FLAGS_ALLOC | XA_FLAGS_LOCK_BH);
	sess->id = atomic64_inc_return(&sess->dn->last_session);
	err = xa_insert_bh(&sess->dn->sessions, sess->id, sess,
			   GFP_KERNEL_ACCOUNT);
	if (err)
		goto err_events;
	atomic_inc(&sess->dn->nsessions);
	sess->net = get_net(net);
	sess->pid_ns = get_pid_ns(task_active_pid_ns(current));
	file->private_data = sess;
	return stream_open(inode, file);

err_events:
	dlease_events_free(sess);
err_user:
	dlease_user_put(sess->user);
err_free:
	kfree(sess);
	return err;
}

static int dlease_file_release(struct inode *inode, struct file *file)
{
	struct dlease_session *sess = file->private_data;

	dlease_session_release_all(sess);
	/* No revoke by id can find the session from here on. */
	xa_erase_bh(&sess->dn->sessions, sess->id);
	atomic_dec(&sess->dn->nsessions);
	xa_destroy(&sess->leases);
	put_pid_ns(sess->pid_ns);
	dlease_events_free(sess);
	dlease_user_put(sess->user);
	put_net(sess->net);
	kfree(sess);
	return 0;
}

static long dlease_ioc_info(struct dlease_session *sess, void __user *arg)
{
	const struct dlease_limits *lim = &sess->dn->limits;
	struct dlease_info info = {
		.api_version = DLEASE_API_VERSION,
		.event_size = sizeof(struct dlease_event),
		.acquire_flags = DLEASE_ACQ_FLAGS_ALL,
		.event_mask = DLEASE_EV_MASK_ALL,
		.name_max = DLEASE_NAME_MAX,
		.max_per_session = READ_ONCE(lim->max_per_session),
		.max_per_user = READ_ONCE(dlease_max_per_user),
		.max_waiters = READ_ONCE(lim->max_waiters),
		.max_events = sess->ev_cap,
		.max_holders = READ_ONCE(lim->max_holders),
		.ttl_min_ns = READ_ONCE(lim->ttl_min_ns),
		.ttl_max_ns = READ_ONCE(lim->ttl_max_ns),
		.grace_max_ns = READ_ONCE(lim->grace_max_ns),
		.session_id = sess->id,
	};

	return copy_to_user(arg, &info, sizeof(info)) ? -EFAULT : 0;
}

static int dlease_check_ttl(struct dlease_session *sess, u64 ttl_ns)
{
	const struct dlease_limits *lim = &sess->dn->limits;

	if (ttl_ns < READ_ONCE(lim->ttl_min_ns) ||
	    ttl_ns > READ_ONCE(lim->ttl_max_ns))
		return -ERANGE;
	return 0;
}

static int dlease_check_acquire(struct dlease_session *sess,
				const struct dlease_acquire *req)
{
	u32 waits = req->flags & (DLEASE_ACQ_TRY | DLEASE_ACQ_ASYNC);

	if (req->flags & ~DLEASE_ACQ_FLAGS_ALL ||
	    !dlease_zeroed(req->reserved, sizeof(req->reserved)))
		return -EINVAL;
	if (req->mode != DLEASE_MODE_SHARED &&
	    req->mode != DLEASE_MODE_EXCLUSIVE)
		return -EINVAL;
	if (!req->name_len || req->name_len > DLEASE_NAME_MAX)
		return -EINVAL;
	if (waits == (DLEASE_ACQ_TRY | DLEASE_ACQ_ASYNC) ||
	    (waits && req->timeout_ns) ||
	    (req->flags & DLEASE_ACQ_ABSTIME && !req->timeout_ns))
		return -EINVAL;
	/* Cluster leases: exclusive, no grace, not asynchronous. */
	if (req->flags & DLEASE_ACQ_CLUSTER &&
	    (req->mode != DLEASE_MODE_EXCLUSIVE || req->grace_ns ||
	     req->flags & DLEASE_ACQ_ASYNC))
		return -EINVAL;
	if (req->grace_ns > READ_ONCE(sess->dn->limits.grace_max_ns))
		return -ERANGE;
	return dlease_check_ttl(sess, req->ttl_ns);
}

static long dlease_ioc_acquire(struct dlease_session *sess, void __user *arg)
{
	struct dlease_acquire req;
	u8 name[DLEASE_NAME_MAX];
	int err;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	err = dlease_check_acquire(sess, &req);
	if (err)
		return err;
	if (copy_from_user(name, u64_to_user_ptr(req.name_ptr), req.name_len))
		return -EFAULT;
	if (memchr(name, 0, req.name_len))
		return -EINVAL;
	err = dlease_acquire(sess, &req, name);
	/* Interrupted: the time left, for the restart or the caller. */
	if ((err == -ERESTARTNOHAND || err == -EINTR) &&
	    put_user(req.timeout_ns,
		     &((struct dlease_acquire __user *)arg)->timeout_ns))
		return -EFAULT;
	if (err)
		return err;
	if (copy_to_user(arg, &req, sizeof(req))) {
		/* The caller cannot know the lease: do not leave it held. */
		dlease_release(sess, req.lease_id);
		return -EFAULT;
	}
	return 0;
}

static long dlease_ioc_renew(struct dlease_session *sess, void __user *arg)
{
	struct dlease_renew req;
	int err;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.flags || !dlease_zeroed(req.reserved, sizeof(req.reserved)))
		return -EINVAL;
	if (req.ttl_ns) {
		err = dlease_check_ttl(sess, req.ttl_ns);
		if (err)
			return err;
	}
	err = dlease_renew(sess, &req);
	if (err)
		return err;
	return copy_to_user(arg, &req, sizeof(req)) ? -EFAULT : 0;
}

static long dlease_ioc_release(struct dlease_session *sess, void __user *arg)
{
	struct dlease_release req;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.reserved0 ||
	    !dlease_zeroed(req.reserved, sizeof(req.reserved)))
		return -EINVAL;
	return dlease_release(sess, req.lease_id);
}

static long dlease_ioc_query(struct dlease_session *sess, void __user *arg)
{
	struct dlease_query q;
	u8 name[DLEASE_NAME_MAX];
	u32 room;
	int err;

	if (copy_from_user(&q, arg, sizeof(q)))
		return -EFAULT;
	/* The out-only fields that replaced reserved ones: zero as before. */
	if (q.flags || q.cluster_place || q.reserved0 || q.wait_until_ns)
		return -EINVAL;
	room = q.name_len;
	err = dlease_query(sess, &q, name);
	if (err)
		return err;
	if (q.name_ptr && copy_to_user(u64_to_user_ptr(q.name_ptr), name,
				       min(room, q.name_len)))
		return -EFAULT;
	return copy_to_user(arg, &q, sizeof(q)) ? -EFAULT : 0;
}

static long dlease_ioc_set_events(struct dlease_session *sess,
				  void __user *arg)
{
	struct dlease_events req;
	u32 old, new;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.reserved0 || req.mask & ~DLEASE_EV_MASK_ALL)
		return -EINVAL;
	new = req.mask | BIT(DLEASE_EV_OVERFLOW);
	old = xchg(&sess->ev_mask, new);
	req.mask = old;
	if (copy_to_user(arg, &req, sizeof(req))) {
		/* Undo, unless another thread changed it meanwhile. */
		cmpxchg(&sess->ev_mask, new, old);
		return -EFAULT;
	}
	return 0;
}

static long dlease_ioctl(struct file *file, unsigned int cmd,
			 unsigned long arg)
{
	struct dlease_session *sess = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case DLEASE_IOC_INFO:
		return dlease_ioc_info(sess, uarg);
	case DLEASE_IOC_ACQUIRE:
		return dlease_ioc_acquire(sess, uarg);
	case DLEASE_IOC_RENEW:
		return dlease_ioc_renew(sess, uarg);
	case DLEASE_IOC_RELEASE:
		return dlease_ioc_release(sess, uarg);
	case DLEASE_IOC_QUERY:
		return dlease_ioc_query(sess, uarg);
	case DLEASE_IOC_SET_EVENTS:
		return dlease_ioc_set_events(sess, uarg);
	default:
		return -ENOTTY;
	}
}

static ssize_t dlease_read(struct file *file, char __user *buf, size_t len,
			   loff_t *ppos)
{
	return dlease_events_read(file->private_data, buf, len,
				  file->f_flags & O_NONBLOCK);
}

static __poll_t dlease_poll(struct file *file, poll_table *wait)
{
	struct dlease_session *sess = file->private_data;

	poll_wait(file, &sess->ev_wait, wait);
	return dlease_events_pending(sess) ? EPOLLIN | EPOLLRDNORM : 0;
}

static const struct file_operations dlease_fops = {
	.owner = THIS_MODULE,
	.open = dlease_open,
	.release = dlease_file_release,
	.unlocked_ioctl = dlease_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.read = dlease_read,
	.poll = dlease_poll,
};

static struct miscdevice dlease_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = DLEASE_DEVICE_NAME,
	.fops = &dlease_fops,
	.mode = 0660,
};

/**
 * dlease_chardev_init() - register /dev/dlease
 *
 * Return: 0 or a negative errno.
 */
int dlease_chardev_init(void)
{
	return misc_register(&dlease_miscdev);
}

/**
 * dlease_chardev_exit() - unregister /dev/dlease
 */
void dlease_chardev_exit(void)
{
	misc_deregister(&dlease_miscdev);
}
