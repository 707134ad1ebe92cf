// SPDX-License-Identifier: GPL-2.0
/*
 * bench - dlease against the kernel's own locks, in one run on one kernel.
 *
 * Uncontended: acquire+release pairs per second for dlease (TRY), flock
 * (LOCK_EX/LOCK_UN) and OFD locks (F_OFD_SETLK), against two null ioctls
 * (the syscall floor).
 *
 * Contended: NPROC processes hand one lock around for a fixed time.
 * Reported: grants per second, handoffs per second (grants to another
 * process than the previous holder: a lock that lets its holder take it
 * again at once grants a lot and hands off little), voluntary context
 * switches per handoff (wake-ups that led to sleeping again count here: a
 * herd shows up as more than one), and Jain's fairness index of the grants
 * per process (1.0: perfectly even; 1/NPROC: one process got everything).
 *
 * Times under TCG are slow and noisy: read the ratios, not the numbers.
 * This is a benchmark, not a test: it fails only if a lock call fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/dlease.h>

#define LOCKFILE	"/tmp/dlease-bench.lock"
#define NPROC		8
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* One kind of lock: open a handle, take, give back. */
struct lock_ops {
	const char *name;
	int (*open)(void);
	int (*lock)(int fd, uint64_t *id);	/* blocking */
	int (*trylock)(int fd, uint64_t *id);
	int (*unlock)(int fd, uint64_t id);
};

static int dl_open_dev(void)
{
	return open("/dev/" DLEASE_DEVICE_NAME, O_RDWR | O_CLOEXEC);
}

static int dl_take_name(int fd, uint64_t *id, uint32_t flags, uint32_t mode,
			const char *name)
{
	struct dlease_acquire a = {
		.name_ptr = (uintptr_t)name,
		.name_len = strlen(name),
		.mode = mode,
		.flags = flags,
		.ttl_ns = 60ULL * 1000000000ULL,
	};

	if (ioctl(fd, DLEASE_IOC_ACQUIRE, &a))
		return -1;
	*id = a.lease_id;
	return 0;
}

static int dl_take(int fd, uint64_t *id, uint32_t flags)
{
	return dl_take_name(fd, id, flags, DLEASE_MODE_EXCLUSIVE, "bench");
}

/*
 * A shared lease on a name another session also holds shared: the
 * resource stays in the table, so this measures the lease alone.
 */
static int dl_open_kept(void)
{
	static int keeper = -1;
	uint64_t id;

	if (keeper < 0) {
		keeper = dl_open_dev();
		if (keeper < 0 ||
		    dl_take_name(keeper, &id, DLEASE_ACQ_TRY, DLEASE_MODE_SHARED,
				 "bench-kept"))
			return -1;
	}
	return dl_open_dev();
}

static int dl_trylock_shared(int fd, uint64_t *id)
{
	return dl_take_name(fd, id, DLEASE_ACQ_TRY, DLEASE_MODE_SHARED,
			    "bench-kept");
}

static int dl_lock(int fd, uint64_t *id)
{
	return dl_take(fd, id, 0);
}

static int dl_trylock(int fd, uint64_t *id)
{
	return dl_take(fd, id, DLEASE_ACQ_TRY);
}

static int dl_unlock(int fd, uint64_t id)
{
	struct dlease_release r = { .lease_id = id };

	return ioctl(fd, DLEASE_IOC_RELEASE, &r);
}

static int file_open(void)
{
	return open(LOCKFILE, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
}

static int flock_lock(int fd, uint64_t *id)
{
	(void)id;
	return flock(fd, LOCK_EX);
}

static int flock_trylock(int fd, uint64_t *id)
{
	(void)id;
	return flock(fd, LOCK_EX | LOCK_NB);
}

static int flock_unlock(int fd, uint64_t id)
{
	(void)id;
	return flock(fd, LOCK_UN);
}

static int ofd(int fd, int cmd, short type)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET };

	return fcntl(fd, cmd, &fl);
}

static int ofd_lock(int fd, uint64_t *id)
{
	(void)id;
	return ofd(fd, F_OFD_SETLKW, F_WRLCK);
}

static int ofd_trylock(int fd, uint64_t *id)
{
	(void)id;
	return ofd(fd, F_OFD_SETLK, F_WRLCK);
}

static int ofd_unlock(int fd, uint64_t id)
{
	(void)id;
	return ofd(fd, F_OFD_SETLK, F_UNLCK);
}

/* The floor: two system calls into the dlease driver that do nothing. */
static int null_trylock(int fd, uint64_t *id)
{
	(void)id;
	return ioctl(fd, _IO(DLEASE_IOC_MAGIC, 0xff)) == -1 &&
	       errno == ENOTTY ? 0 : -1;
}

static int null_unlock(int fd, uint64_t id)
{
	return null_trylock(fd, &id);
}

static const struct lock_ops ops_null = {
	"2 null ioctls", dl_open_dev, NULL, null_trylock, null_unlock,
};
static const struct lock_ops ops_dlease = {
	"dlease", dl_open_dev, dl_lock, dl_trylock, dl_unlock,
};
static const struct lock_ops ops_dlease_kept = {
	"dlease (kept)", dl_open_kept, NULL, dl_trylock_shared, dl_unlock,
};
static const struct lock_ops ops_flock = {
	"flock", file_open, flock_lock, flock_trylock, flock_unlock,
};
static const struct lock_ops ops_ofd = {
	"OFD lock", file_open, ofd_lock, ofd_trylock, ofd_unlock,
};

static double uncontended(const struct lock_ops *ops, double seconds)
{
	int fd = ops->open();
	double start = now_s(), end = start + seconds;
	uint64_t id, n = 0;

	if (fd < 0)
		die(ops->name);
	while (now_s() < end) {
		for (int i = 0; i < 1000; i++) {
			if (ops->trylock(fd, &id) || ops->unlock(fd, id))
				die(ops->name);
		}
		n += 1000;
	}
	close(fd);
	return (double)n / (now_s() - start);
}

struct contended {
	double grants_per_s;
	double handoffs_per_s;	/* grants to another process than the last */
	double csw_per_handoff;
	double jain;
};

struct shared {
	int go;		/* read and written with __atomic builtins */
	int stop;
	uint64_t grants[NPROC];
	int last;		/* the last holder, under the lock */
	uint64_t handoffs;	/* grants to another process, under the lock */
};

static void contender(const struct lock_ops *ops, struct shared *sh, int me)
{
	int fd = ops->open();
	uint64_t id;

	if (fd < 0)
		die(ops->name);
	while (!__atomic_load_n(&sh->go, __ATOMIC_ACQUIRE))
		usleep(100);
	while (!__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE)) {
		if (ops->lock(fd, &id))
			die(ops->name);
		sh->grants[me]++;
		if (sh->last != me)
			sh->handoffs++;
		sh->last = me;
		if (ops->unlock(fd, id))
			die(ops->name);
	}
	_exit(0);
}

static long children_nvcsw(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return ru.ru_nvcsw;
}

static struct contended contend(const struct lock_ops *ops, double seconds)
{
	struct contended r = { 0 };
	long csw_before = children_nvcsw();
	double start, elapsed, sum = 0, sumsq = 0;
	struct shared *sh;
	pid_t pid[NPROC];
	uint64_t total = 0;
	int i;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap");
	for (i = 0; i < NPROC; i++) {
		pid[i] = fork();
		if (pid[i] < 0)
			die("fork");
		if (!pid[i])
			contender(ops, sh, i);
	}
	usleep(200000);
	start = now_s();
	__atomic_store_n(&sh->go, 1, __ATOMIC_RELEASE);
	usleep((useconds_t)(seconds * 1e6));
	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < NPROC; i++)
		waitpid(pid[i], NULL, 0);
	for (i = 0; i < NPROC; i++) {
		total += sh->grants[i];
		sum += (double)sh->grants[i];
		sumsq += (double)sh->grants[i] * (double)sh->grants[i];
	}
	elapsed = now_s() - start;
	r.grants_per_s = (double)total / elapsed;
	r.handoffs_per_s = (double)sh->handoffs / elapsed;
	r.csw_per_handoff = sh->handoffs ?
		(double)(children_nvcsw() - csw_before) /
		(double)sh->handoffs : 0;
	r.jain = sumsq > 0 ? sum * sum / (NPROC * sumsq) : 0;
	munmap(sh, sizeof(*sh));
	return r;
}

int main(int argc, char **argv)
{
	const struct lock_ops *unc[] = {
		&ops_null, &ops_dlease, &ops_dlease_kept, &ops_flock, &ops_ofd,
	};
	const struct lock_ops *con[] = { &ops_dlease, &ops_flock };
	double secs = argc > 1 ? atof(argv[1]) : 2.0;
	struct contended c[2];
	double floor_rate = 0, rate;
	size_t i;

	printf("# uncontended pairs (take + give back), %.1f s each\n", secs);
	printf("%-16s %14s %10s\n", "lock", "pairs/s", "cost/floor");
	for (i = 0; i < ARRAY_SIZE(unc); i++) {
		rate = uncontended(unc[i], secs);
		if (!i)
			floor_rate = rate;
		printf("%-16s %14.0f %10.2f\n", unc[i]->name, rate,
		       floor_rate / rate);
	}

	printf("# contended: %d processes, one lock, %.1f s each\n", NPROC,
	       secs);
	printf("%-16s %12s %12s %12s %8s\n", "lock", "grants/s", "handoffs/s",
	       "csw/handoff", "Jain");
	for (i = 0; i < 2; i++) {
		c[i] = contend(con[i], secs);
		printf("%-16s %12.0f %12.0f %12.2f %8.3f\n", con[i]->name,
		       c[i].grants_per_s, c[i].handoffs_per_s,
		       c[i].csw_per_handoff, c[i].jain);
	}
	printf("# ratios dlease/flock: handoffs/s %.2f, csw/handoff %.2f, Jain %.2f\n",
	       c[0].handoffs_per_s / c[1].handoffs_per_s,
	       c[1].csw_per_handoff > 0 ?
	       c[0].csw_per_handoff / c[1].csw_per_handoff : 0,
	       c[0].jain / c[1].jain);
	unlink(LOCKFILE);
	return 0;
}
