#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""A 3-daemon dleased cluster on 127.0.0.1, driven through the control
sockets: latency, contention, holder death, daemon death, restarts,
forged and replayed packets.

    cluster_test.py DLEASED DLEASED-FORGE

Prints one TAP line per check and "# figure:" lines with measurements.
Traffic goes to 127.0.0.1 only; every wait is bounded.
"""
import os
import queue
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

MS = 1000000
EPSILON_MS = 100
MAX_LEASE_MS = 2000
TIMEOUT_MS = 100
TTL = 1500
CONF = """\
[node]
id = {id}
cluster = {cluster}
key-file = {d}/key
state-directory = {d}/state{id}
control-socket = {d}/control{id}
log-level = {level}

[peers]
{peers}

[lease]
max-time = {max_lease}ms
epsilon = {eps}ms
message-timeout = {timeout}ms
"""

results = []


def check(what, ok, detail=""):
    results.append(ok)
    print("%s %d - cluster: %s" % ("ok" if ok else "not ok", len(results),
                                   what))
    if not ok and detail:
        print("# " + str(detail).replace("\n", "\n# "))
    sys.stdout.flush()
    return ok


def figure(text):
    print("# figure: " + text)
    sys.stdout.flush()


def free_ports(n, family=socket.AF_INET):
    socks = []
    for _ in range(n):
        s = socket.socket(family, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1" if family == socket.AF_INET else "::1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def fields(line):
    """'granted x token=3 expiry=9' -> {'verb': 'granted', 'name': 'x', ...}"""
    words = line.split()
    out = {"verb": words[0], "name": words[1] if len(words) > 1 else ""}
    for w in words[2:]:
        k, _, v = w.partition("=")
        out[k] = int(v) if v.isdigit() else v
    return out


class Client:
    """A control socket connection; its lines go to a shared queue."""

    def __init__(self, path, events, tag):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self.tag = tag
        self.events = events
        threading.Thread(target=self.reader, daemon=True).start()

    def reader(self):
        buf = b""
        while True:
            try:
                data = self.sock.recv(4096)
            except OSError:
                return
            if not data:
                return
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                self.events.put((time.monotonic_ns(), self.tag,
                                 fields(line.decode())))

    def send(self, line):
        self.sock.sendall(line.encode() + b"\n")
        return time.monotonic_ns()

    def close(self):
        self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        return time.monotonic_ns()


def wait_for(events, verbs, timeout=10.0, tag=None, name=None):
    """The next event whose verb is in verbs (others are kept in 'seen')."""
    end = time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return None
        try:
            t, who, f = events.get(timeout=left)
        except queue.Empty:
            return None
        wait_for.seen.append((t, who, f))
        if f["verb"] in verbs and (tag is None or who == tag) and \
                (name is None or f["name"] == name):
            return t, who, f


wait_for.seen = []


class Cluster:
    def __init__(self, dleased, d, n, cluster_id=42, extra_peers=None,
                 ipv6=False):
        self.dleased, self.d, self.n = dleased, d, n
        self.ports = free_ports(n, socket.AF_INET6 if ipv6 else
                                socket.AF_INET)
        self.procs = {}
        host = "[::1]" if ipv6 else "127.0.0.1"
        peers = ["%d = %s:%d" % (i + 1, host, p)
                 for i, p in enumerate(self.ports)] + (extra_peers or [])
        for i in range(1, n + 1):
            os.makedirs(os.path.join(d, "state%d" % i), exist_ok=True)
            with open(self.conf(i), "w") as f:
                f.write(CONF.format(id=i, cluster=cluster_id, d=d,
                                    peers="\n".join(peers), level="info",
                                    max_lease=MAX_LEASE_MS, eps=EPSILON_MS,
                                    timeout=TIMEOUT_MS))

    def conf(self, i):
        return os.path.join(self.d, "node%d.conf" % i)

    def control(self, i):
        return os.path.join(self.d, "control%d" % i)

    def start(self, i, env=None):
        log = open(os.path.join(self.d, "log%d" % i), "a")
        self.procs[i] = subprocess.Popen([self.dleased, "-c", self.conf(i)],
                                         stderr=log, env=env)
        end = time.monotonic() + 5
        while time.monotonic() < end:
            try:
                self.status(i)
                return time.monotonic_ns()
            except OSError:
                time.sleep(0.01)
        raise RuntimeError("dleased %d did not start" % i)

    def stop(self, i, sig):
        p = self.procs.pop(i)
        p.send_signal(sig)
        t = time.monotonic_ns()
        try:
            rc = p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = p.wait()
        return t, rc

    def stop_all(self):
        for i in list(self.procs):
            self.stop(i, signal.SIGKILL)

    def status(self, i):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(2)
        s.connect(self.control(i))
        s.sendall(b"status\n")
        buf = b""
        while not buf.endswith(b"end\n"):
            data = s.recv(65536)
            if not data:
                break
            buf += data
        s.close()
        st = {"peers": {}}
        for line in buf.decode().splitlines():
            words = line.split()
            if not words or words[0] == "end":
                continue
            kv = dict(w.split("=", 1) for w in words[1:])
            if words[0] == "peer":
                st["peers"][int(kv["id"])] = kv
            else:
                st[words[0]] = kv
        return st


def test_latency(c, events):
    cl = Client(c.control(1), events, 1)
    lat, phases = [], set()
    for _ in range(20):
        t0 = cl.send("acquire lat %d" % TTL)
        r = wait_for(events, ("granted", "denied"), 5, 1, "lat")
        if not r or r[2]["verb"] != "granted":
            return check("acquire on an idle resource", False, r)
        lat.append(r[0] - t0)
        phases.add(r[2]["phases"])
        cl.send("release lat")
        wait_for(events, ("released",), 5, 1, "lat")
    ren = []
    cl.send("acquire lat %d" % TTL)
    wait_for(events, ("granted",), 5, 1, "lat")
    for _ in range(10):
        t0 = cl.send("renew lat %d" % TTL)
        r = wait_for(events, ("renewed", "denied", "lost"), 5, 1, "lat")
        if not r or r[2]["verb"] != "renewed":
            return check("renew", False, r)
        ren.append(r[0] - t0)
    cl.close()
    st = c.status(1)
    rtts = [int(p["rtt-us"]) for p in st["peers"].values()
            if p["rtt-us"] != "none"]
    rtt = statistics.median(rtts) if rtts else 0
    acq = statistics.median(lat) / 1000
    rnw = statistics.median(ren) / 1000
    figure("acquire: %s protocol round trips, median %.0f us over 20; "
           "renew: 1 round trip, median %.0f us; last peer RTT measured by "
           "the daemon %s us (acquire = %.1f RTTs)" %
           ("/".join(map(str, sorted(phases))), acq, rnw, rtt,
            acq / rtt if rtt else 0))
    check("acquire on an idle resource takes 2 round trips", phases == {2},
          phases)
    check("status shows every peer up with an RTT",
          all(p["state"] == "up" and p["rtt-us"] != "none"
              for p in st["peers"].values()) and len(st["peers"]) == 2, st)


def test_expiry(c, events):
    cl = Client(c.control(2), events, 2)
    cl.send("acquire short 600")
    g = wait_for(events, ("granted",), 5, 2, "short")
    r = wait_for(events, ("lost",), 3, 2, "short")
    ok = g is not None and r is not None and r[2].get("error") == "ETIME"
    if check("a lease not renewed is lost (ETIME) at its deadline", ok,
             (g, r)):
        f = g[2]
        check("... which is epsilon before the cluster expiry, and the "
              "loss is reported no later than the expiry",
              f["deadline"] == f["expiry"] - EPSILON_MS * MS and
              f["deadline"] <= r[0] < f["expiry"], (f, r[0]))
        figure("loss reported %.2f ms after the deadline" %
               ((r[0] - f["deadline"]) / MS))
    cl.close()


def test_contention(c, events):
    clients = {i: Client(c.control(i), events, i) for i in (1, 2, 3)}
    for i, cl in clients.items():
        cl.send("acquire shared %d 20000" % TTL)
    holds, handover, tokens, breaks, waits = [], [], [], 0, 0
    released_at = None
    for _ in range(3):
        r = wait_for(events, ("granted", "denied"), 15, name="shared")
        if not r or r[2]["verb"] != "granted":
            return check("contended acquires are all granted", False, r)
        t, who, f = r
        if released_at:
            handover.append(t - released_at)
        tokens.append(f["token"])
        holds.append((who, t))
        time.sleep(0.2)
        released_at = clients[who].send("release shared")
        holds[-1] = (who, t, released_at)
    for t, who, f in wait_for.seen:
        if f["name"] == "shared":
            breaks += f["verb"] == "break"
            waits += f["verb"] == "wait"
    overlap = any(holds[k + 1][1] < holds[k][2] for k in range(2))
    check("one holder at a time under contention", not overlap, holds)
    check("every node got the lease once",
          sorted(h[0] for h in holds) == [1, 2, 3], holds)
    check("tokens increase with every grant", tokens == sorted(set(tokens)),
          tokens)
    check("waiters are told to wait, holders get break events",
          waits >= 2 and breaks >= 1, (waits, breaks))
    figure("successor grant after release: %s ms" %
           ", ".join("%.2f" % (h / MS) for h in handover))
    for cl in clients.values():
        cl.close()
    return max(tokens)


def test_holder_death(c, events):
    a, b = Client(c.control(1), events, 1), Client(c.control(2), events, 2)
    a.send("acquire proc %d" % TTL)
    g = wait_for(events, ("granted",), 5, 1, "proc")
    if not check("holder acquires", g is not None):
        return
    closed = a.close()
    time.sleep(0.05)
    b.send("acquire proc %d 10000" % TTL)
    r = wait_for(events, ("granted",), 5, 2, "proc")
    if check("a closed control connection releases its lease at once",
             r is not None and r[0] < g[2]["expiry"], (g, r)):
        figure("grant to another node after the holder's connection "
               "closed: %.2f ms (incl. a 50 ms pause)" % ((r[0] - closed) / MS))
    # the same with the other node already queued
    a = Client(c.control(1), events, 1)
    a.send("acquire proc2 %d" % TTL)
    g = wait_for(events, ("granted",), 5, 1, "proc2")
    b.send("acquire proc2 %d 10000" % TTL)
    w = wait_for(events, ("wait",), 5, 2, "proc2")
    # what the kernel bridge passes on as a WAIT answer: next in line,
    # expecting the grant when the holder's lease is over (plus epsilon
    # and at most one retry slot)
    if g and w:
        left_ms = (g[2]["expiry"] - w[0]) / MS
        check("a waiter is told its place and the wait for the holder's "
              "lease", w[2]["position"] == 0 and
              0 < w[2]["wait-ms"] <= left_ms + EPSILON_MS + 4 * TIMEOUT_MS,
              (w[2], left_ms))
    else:
        check("a waiter is told its place and the wait for the holder's "
              "lease", False, (g, w))
    closed = a.close()
    r = wait_for(events, ("granted",), 5, 2, "proc2")
    if r:
        figure("grant to a queued waiter after the holder's connection "
               "closed: %.2f ms" % ((r[0] - closed) / MS))
    b.close()


def test_sigterm(c, events):
    a = Client(c.control(1), events, 1)
    a.send("acquire graceful %d" % TTL)
    g = wait_for(events, ("granted",), 5, 1, "graceful")
    t, rc = c.stop(1, signal.SIGTERM)
    lost = wait_for(events, ("lost",), 2, 1, "graceful")
    check("SIGTERM: exit 0, the holder is told ESHUTDOWN",
          rc == 0 and lost and lost[2].get("error") == "ESHUTDOWN", (rc, lost))
    b = Client(c.control(3), events, 3)
    b.send("acquire graceful %d 10000" % TTL)
    r = wait_for(events, ("granted",), 5, 3, "graceful")
    if check("SIGTERM releases the daemon's leases in the cluster",
             g and r and r[0] < g[2]["expiry"], (g, r)):
        figure("grant to another node after the holder's daemon got "
               "SIGTERM: %.2f ms" % ((r[0] - t) / MS))
    b.close()
    c.start(1)
    # let its restart silence pass: the next test needs its vote
    time.sleep((MAX_LEASE_MS + 2 * EPSILON_MS + TIMEOUT_MS) / 1000 + 0.1)


def test_kill9(c, events):
    a, b = Client(c.control(2), events, 2), Client(c.control(3), events, 3)
    a.send("acquire victim %d" % TTL)
    g = wait_for(events, ("granted",), 5, 2, "victim")
    if not check("holder on node 2 acquires", g is not None):
        return
    b.send("acquire victim %d 10000" % TTL)
    wait_for(events, ("wait",), 5, 3, "victim")
    killed, _ = c.stop(2, signal.SIGKILL)
    r = wait_for(events, ("granted", "denied"), 8, 3, "victim")
    expiry = g[2]["expiry"]
    ok = r is not None and r[2]["verb"] == "granted"
    check("kill -9 of the holder's daemon: another node gets the lease",
          ok, r)
    if ok:
        check("... not before the lease's end + epsilon",
              r[0] >= expiry + EPSILON_MS * MS - MS,
              (r[0] - expiry) / MS)
        figure("successor grant after kill -9 of the holder's daemon: "
               "%.0f ms after the kill, %.0f ms after the lease end "
               "(epsilon %d ms, TTL %d ms)" % ((r[0] - killed) / MS,
                                              (r[0] - expiry) / MS,
                                              EPSILON_MS, TTL))
    time.sleep(2 * TIMEOUT_MS / 1000)
    st = c.status(3)
    check("status: the killed node is down for the node that asked it",
          st["peers"][2]["state"] == "down", st["peers"][2])
    b.close()
    c.start(2)
    time.sleep(0.1)
    st = c.status(2)
    check("the restarted daemon has a new incarnation",
          int(st["node"]["incarnation"]) >= 2, st["node"])


def test_restart_all(c, events, last_token):
    c.stop_all()
    for i in (1, 2, 3):
        c.start(i)
    t0 = time.monotonic_ns()
    cl = Client(c.control(3), events, 3)
    cl.send("acquire shared %d 15000" % TTL)
    r = wait_for(events, ("granted", "denied"), 16, 3, "shared")
    ok = r is not None and r[2]["verb"] == "granted"
    check("after kill -9 and restart of every daemon the lease is granted",
          ok, r)
    if ok:
        check("... with a token above every earlier one",
              r[2]["token"] > last_token, (r[2]["token"], last_token))
        figure("first grant after restarting every daemon: %.0f ms "
               "(restart silence: max lease + 2 epsilon + timeout = %d ms)" %
               ((r[0] - t0) / MS, MAX_LEASE_MS + 2 * EPSILON_MS + TIMEOUT_MS))
    cl.close()


def drops(st):
    return {k: int(v) for k, v in st["drops-wire"].items()}


def test_forged(c, forge, d, port):
    with open(os.path.join(d, "otherkey"), "wb") as f:
        f.write(os.urandom(32))
    before = drops(c.status(1))
    to = "127.0.0.1:%d" % port
    runs = [[to, d + "/otherkey", "42", "2", "99", "1", "3"],
            [to, d + "/key", "42", "9", "1", "1", "2"],
            [to, d + "/key", "7", "2", "1", "1", "1"],
            [to, "junk"]]
    for args in runs:
        subprocess.run([forge] + args, check=True, timeout=5)
    time.sleep(0.2)
    after = drops(c.status(1))
    diff = {k: after[k] - before[k] for k in after if after[k] != before[k]}
    check("forged packets dropped and counted: wrong key, unknown peer, "
          "wrong cluster, junk",
          diff == {"bad-mac": 3, "unknown-peer": 2, "wrong-cluster": 1,
                   "short": 1}, diff)


def test_replay(dleased, forge, d):
    """One daemon whose peer 2 is this test: replays and old incarnations."""
    sub = os.path.join(d, "replay")
    os.mkdir(sub)
    os.link(os.path.join(d, "key"), os.path.join(sub, "key"))
    c = Cluster(dleased, sub, 1, cluster_id=77,
                extra_peers=["2 = 127.0.0.1:%d" % free_ports(1)[0]])
    c.start(1)
    to = "127.0.0.1:%d" % c.ports[0]
    key = os.path.join(sub, "key")
    subprocess.run([forge, to, key, "77", "2", "5", "1", "3"], check=True)
    subprocess.run([forge, to, key, "77", "2", "4", "9", "1"], check=True)
    time.sleep(0.2)
    st = c.status(1)
    dr = drops(st)
    check("replayed packets dropped and counted",
          dr["replay"] == 2 and st["peers"][2]["received"] == "1", st)
    check("packets of an older incarnation dropped and counted",
          dr["old-incarnation"] == 1, dr)
    c.stop_all()


def test_ipv6(dleased, d, events):
    sub = os.path.join(d, "ipv6")
    os.mkdir(sub)
    os.link(os.path.join(d, "key"), os.path.join(sub, "key"))
    c = Cluster(dleased, sub, 3, ipv6=True)
    try:
        for i in (1, 2, 3):
            c.start(i)
    except (RuntimeError, OSError) as e:
        check("IPv6 cluster starts", False, e)
        c.stop_all()
        return
    cl = Client(c.control(2), events, 2)
    cl.send("acquire six %d 10000" % TTL)
    r = wait_for(events, ("granted", "denied"), 11, 2, "six")
    check("a cluster over IPv6 grants leases", r is not None and
          r[2]["verb"] == "granted", r)
    cl.close()
    c.stop_all()


def test_systemd(dleased, d):
    """sd_notify readiness, watchdog and stopping; journal log prefixes."""
    sub = os.path.join(d, "notify")
    os.mkdir(sub)
    os.link(os.path.join(d, "key"), os.path.join(sub, "key"))
    c = Cluster(dleased, sub, 1)
    path = os.path.join(sub, "notify")
    ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ns.bind(path)
    ns.settimeout(2)
    env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="100000",
               JOURNAL_STREAM="0:0")
    c.start(1, env)
    mode = os.stat(c.control(1)).st_mode & 0o7777
    got = []
    end = time.monotonic() + 0.6
    while time.monotonic() < end:
        try:
            got += ns.recv(4096).decode().split("\n")
        except socket.timeout:
            break
    c.stop(1, signal.SIGTERM)
    try:
        got += ns.recv(4096).decode().split("\n")
    except socket.timeout:
        pass
    ns.close()
    check("sd_notify: READY=1, WATCHDOG=1 at half the interval, STOPPING=1",
          "READY=1" in got and got.count("WATCHDOG=1") >= 5 and
          "STOPPING=1" in got, got)
    check("control socket has mode 0660", mode == 0o660, oct(mode))
    with open(os.path.join(sub, "log1")) as f:
        lines = f.read().splitlines()
    check("logs carry sd-daemon priority prefixes under the journal",
          lines and all(line[:3] in ("<6>", "<5>") for line in lines), lines)


def main():
    dleased, forge = sys.argv[1], sys.argv[2]
    events = queue.Queue()
    with tempfile.TemporaryDirectory(prefix="dleased-cluster.") as d:
        with open(os.path.join(d, "key"), "wb") as f:
            f.write(os.urandom(32))
        os.chmod(os.path.join(d, "key"), 0o600)
        c = Cluster(dleased, d, 3)
        try:
            for i in (1, 2, 3):
                c.start(i)
            check("three daemons start and answer status",
                  all(len(c.status(i)["peers"]) == 2 for i in (1, 2, 3)))
            cl = Client(c.control(1), events, 1)
            t0 = time.monotonic_ns()
            cl.send("acquire warmup %d 10000" % TTL)
            r = wait_for(events, ("granted", "denied"), 11, 1, "warmup")
            check("first grant after a cold start", r and
                  r[2]["verb"] == "granted", r)
            if r:
                figure("first grant after a cold start: %.0f ms" %
                       ((r[0] - t0) / MS))
            cl.close()
            test_latency(c, events)
            test_expiry(c, events)
            last = test_contention(c, events) or 0
            test_holder_death(c, events)
            test_forged(c, forge, d, c.ports[0])
            test_sigterm(c, events)
            test_kill9(c, events)
            test_restart_all(c, events, last)
            c.stop_all()
            test_replay(dleased, forge, d)
            test_ipv6(dleased, d, events)
            test_systemd(dleased, d)
        finally:
            c.stop_all()
            if not all(results):
                for i in (1, 2, 3):
                    print("# log of node %d:" % i)
                    with open(os.path.join(d, "log%d" % i)) as f:
                        for line in f.readlines()[-15:]:
                            print("#   " + line.rstrip())
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
