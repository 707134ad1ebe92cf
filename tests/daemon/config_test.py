#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""dleased configuration checks: every bad value is refused with a message
naming its section and key, and the right sysexits code.

    config_test.py DLEASED
    config_test.py --emit FILE

Prints one TAP line per case. With --emit, writes the cases to FILE for
config_vm_test, which runs them in the VM: records separated by "%%",
first the files to make ("file: NAME SIZE|dir MODE OWNER"), then one a
case: "what:", "exit:", "args:", "expect:" lines (the expected output;
@D@ stands for the test directory), then "conf:" and the configuration.
"""
import os
import subprocess
import sys
import tempfile

EX_OK, EX_USAGE, EX_NOINPUT, EX_CONFIG = 0, 64, 66, 78

BASE = """\
[node]
id = 1
cluster = 42
listen = 127.0.0.1:7401
key-file = {d}/key
state-directory = {d}/state
control-socket = {d}/control

[peers]
2 = 127.0.0.1:7402
3 = 127.0.0.1:7403

[lease]
max-time = 2s
epsilon = 100ms
message-timeout = 100ms
"""

# (what, {line to replace: replacement} or text to append, expected
# message, exit code[, dleased's arguments]). A replacement of None
# deletes the line; the configuration is written to {d}/dleased.conf and
# the arguments are "--check-config {d}/dleased.conf" unless given.
CHECK_ARGS = ["--check-config", "{d}/dleased.conf"]
CASES = [
    ("valid", {}, ": ok", EX_OK),
    ("valid, self in [peers] gives listen",
     {"listen = 127.0.0.1:7401": None, "[peers]": "[peers]\n1 = 127.0.0.1:7401"},
     ": ok", EX_OK),
    ("valid, IPv4 and IPv6",
     {"listen = 127.0.0.1:7401": "listen = 127.0.0.1:7401 [::1]:7401",
      "3 = 127.0.0.1:7403": "3 = [::1]:7403"}, ": ok", EX_OK),
    ("unknown section", "[colours]\nred = 1\n",
     "[colours] red: unknown section", EX_CONFIG),
    ("unknown key", {"id = 1": "id = 1\ncolour = red"},
     "[node] colour: unknown key", EX_CONFIG),
    ("id not a number", {"id = 1": "id = one"},
     "[node] id: expected a number 0..4294967295", EX_CONFIG),
    ("id too large", {"id = 1": "id = 4294967296"},
     "[node] id: expected a number 0..4294967295", EX_CONFIG),
    ("id zero", {"id = 1": "id = 0"},
     "[node] id: node id must not be 0", EX_CONFIG),
    ("id missing", {"id = 1": None}, "[node] id: missing", EX_CONFIG),
    ("id twice", {"id = 1": "id = 1\nid = 1"},
     "[node] id: set more than once", EX_CONFIG),
    ("cluster missing", {"cluster = 42": None},
     "[node] cluster: missing", EX_CONFIG),
    ("cluster negative", {"cluster = 42": "cluster = -1"},
     "[node] cluster: expected a number", EX_CONFIG),
    ("listen without port", {"listen = 127.0.0.1:7401": "listen = 127.0.0.1"},
     "[node] listen: expected IPV4:PORT or [IPV6]:PORT", EX_CONFIG),
    ("listen port 0", {"listen = 127.0.0.1:7401": "listen = 127.0.0.1:0"},
     "[node] listen: port must be 1..65535", EX_CONFIG),
    ("listen host name", {"listen = 127.0.0.1:7401": "listen = localhost:7401"},
     "[node] listen: not a numeric IPv4 or IPv6 address", EX_CONFIG),
    ("listen IPv6 without brackets",
     {"listen = 127.0.0.1:7401": "listen = ::1:7401"},
     "[node] listen: not a numeric IPv4 or IPv6 address", EX_CONFIG),
    ("listen two IPv4",
     {"listen = 127.0.0.1:7401": "listen = 127.0.0.1:7401 127.0.0.2:7401"},
     "[node] listen: at most one IPv4 and one IPv6 address", EX_CONFIG),
    ("listen missing", {"listen = 127.0.0.1:7401": None},
     "[node] listen: missing (and [peers] has no entry for this node)",
     EX_CONFIG),
    ("peer key not an id", {"2 = 127.0.0.1:7402": "two = 127.0.0.1:7402"},
     "[peers] two: the key of a peer must be its node id", EX_CONFIG),
    ("peer id zero", {"2 = 127.0.0.1:7402": "0 = 127.0.0.1:7402"},
     "[peers]: peer node id must not be 0", EX_CONFIG),
    ("peer twice", {"3 = 127.0.0.1:7403": "2 = 127.0.0.1:7403"},
     "[peers]: node ids must be unique", EX_CONFIG),
    ("peer bad address", {"2 = 127.0.0.1:7402": "2 = 127.0.0.1:99999"},
     "[peers] 2: port must be 1..65535", EX_CONFIG),
    ("peer of a family not listened on",
     {"3 = 127.0.0.1:7403": "3 = [::1]:7403"},
     "[peers] 3: no listen address of its address family", EX_CONFIG),
    ("33 nodes", "[peers]\n" + "".join("%d = 127.0.0.1:%d\n" % (i, 8000 + i)
                                       for i in range(4, 34)),
     "[peers]: more than 32 nodes with this one", EX_CONFIG),
    ("key-file missing", {"key-file = {d}/key": None},
     "[node] key-file: missing", EX_CONFIG),
    ("key-file relative", {"key-file = {d}/key": "key-file = key"},
     "[node] key-file: must be an absolute path", EX_CONFIG),
    ("key-file absent", {"key-file = {d}/key": "key-file = {d}/nokey"},
     "[node] key-file: {d}/nokey: No such file or directory", EX_NOINPUT),
    ("key-file readable by group", {"key-file = {d}/key": "key-file = {d}/key640"},
     "[node] key-file: {d}/key640: accessible by group or others (chmod 600 it)",
     EX_CONFIG),
    ("key-file readable by others", {"key-file = {d}/key": "key-file = {d}/key604"},
     "[node] key-file: {d}/key604: accessible by group or others", EX_CONFIG),
    ("key-file too short", {"key-file = {d}/key": "key-file = {d}/key16"},
     "[node] key-file: {d}/key16: must be exactly 32 bytes", EX_CONFIG),
    ("key-file a directory", {"key-file = {d}/key": "key-file = {d}/state"},
     "[node] key-file: {d}/state: not a regular file", EX_CONFIG),
    ("key-file of another user", {"key-file = {d}/key": "key-file = {d}/keynobody"},
     "[node] key-file: {d}/keynobody: owned by another user", EX_CONFIG),
    ("state-directory absent",
     {"state-directory = {d}/state": "state-directory = {d}/nostate"},
     "[node] state-directory: {d}/nostate: No such file or directory",
     EX_CONFIG),
    ("state-directory a file",
     {"state-directory = {d}/state": "state-directory = {d}/key"},
     "[node] state-directory: {d}/key: not a directory", EX_CONFIG),
    ("control-socket too long",
     {"control-socket = {d}/control": "control-socket = /" + "x" * 120},
     "[node] control-socket: path too long", EX_CONFIG),
    ("log-level unknown", {"id = 1": "id = 1\nlog-level = loud"},
     "[node] log-level: expected err, warning, notice, info or debug",
     EX_CONFIG),
    ("kernel-bridge unknown", {"id = 1": "id = 1\nkernel-bridge = maybe"},
     "[node] kernel-bridge: expected auto, yes or no", EX_CONFIG),
    ("duration without unit", {"max-time = 2s": "max-time = 2"},
     "[lease] max-time: expected a duration such as 500ms or 2s", EX_CONFIG),
    ("duration with a bad unit", {"max-time = 2s": "max-time = 2 weeks"},
     "[lease] max-time: expected a duration", EX_CONFIG),
    ("max-time too long", {"max-time = 2s": "max-time = 2h"},
     "[lease] max-time: max lease time must be 10 ms..1 h", EX_CONFIG),
    ("epsilon too large", {"epsilon = 100ms": "epsilon = 1s"},
     "[lease] epsilon: epsilon + message timeout must be under max lease / 4",
     EX_CONFIG),
    ("message-timeout too short",
     {"message-timeout = 100ms": "message-timeout = 10us"},
     "[lease] message-timeout: message timeout must be at least 100 us",
     EX_CONFIG),
    ("retry-slot under the timeout", "retry-slot = 50ms\n",
     "[lease] retry-slot: retry slot must be at least the message timeout",
     EX_CONFIG),
    ("max-resources zero", "max-resources = 0\n",
     "[lease] max-resources: expected a number 1..1048576", EX_CONFIG),
    ("syntax error", {"[lease]": "[lease]\nthis is not ini"},
     ":14: syntax error", EX_CONFIG),
    ("two bad values, both reported",
     {"id = 1": "id = x", "epsilon = 100ms": "epsilon = soon"},
     "[node] id: expected a number 0..4294967295\n"
     "dleased: err: {d}/dleased.conf: [lease] epsilon: expected a duration",
     EX_CONFIG),
    # the daemon itself refuses a bad key as --check-config does
    ("daemon start refuses a group-readable key",
     {"key-file = {d}/key": "key-file = {d}/key640"},
     "accessible by group", EX_CONFIG, ["-c", "{d}/dleased.conf"]),
    ("configuration file absent", {}, "No such file or directory",
     EX_NOINPUT, ["--check-config", "{d}/none"]),
    ("bad option", {}, "usage:", EX_USAGE, ["--bogus"]),
]


# The files the cases name: (name, size in bytes, mode, owner uid or
# None); a size of None is a directory.
FILES = (("state", None, 0o700, None), ("key", 32, 0o600, None),
         ("key640", 32, 0o640, None), ("key604", 32, 0o604, None),
         ("key16", 16, 0o600, None), ("keynobody", 32, 0o600, 65534))


def make_files(d):
    for name, size, mode, owner in FILES:
        path = os.path.join(d, name)
        if size is None:
            os.mkdir(path)
        else:
            with open(path, "wb") as f:
                f.write(os.urandom(size))
        os.chmod(path, mode)
        if owner is not None:
            os.chown(path, owner, owner)


def config_text(d, change):
    text = BASE
    if isinstance(change, str):
        text += change
    else:
        for old, new in change.items():
            assert old in text, old
            text = text.replace(old + "\n", "" if new is None else new + "\n")
    return text.replace("{d}", d)


def run(dleased, args):
    p = subprocess.run([dleased] + args, capture_output=True, text=True,
                       timeout=10)
    return p.returncode, p.stdout + p.stderr


def cases():
    for case in CASES:
        yield case if len(case) == 5 else case + (CHECK_ARGS,)


def emit(path):
    with open(path, "w") as f:
        for name, size, mode, owner in FILES:
            f.write("file: %s %s %o %s\n" % (name, "dir" if size is None
                                               else size, mode, owner or 0))
        f.write("%%\n")
        for what, change, expect, code, args in cases():
            args = " ".join(args).replace("{d}", "@D@")
            f.write("what: %s\nexit: %d\nargs: %s\n" % (what, code, args))
            for line in expect.split("\n"):
                f.write("expect: %s\n" % line.replace("{d}", "@D@"))
            f.write("conf:\n%s%%%%\n" % config_text("@D@", change))
    return 0


def main():
    if sys.argv[1] == "--emit":
        return emit(sys.argv[2])
    dleased = sys.argv[1]
    n = 0
    failed = 0
    with tempfile.TemporaryDirectory(prefix="dleased-conf.") as d:
        make_files(d)
        conf = os.path.join(d, "dleased.conf")
        checks = []
        for what, change, expect, code, args in cases():
            with open(conf, "w") as f:
                f.write(config_text(d, change))
            rc, out = run(dleased, [a.replace("{d}", d) for a in args])
            checks.append((what, rc == code and expect.replace("{d}", d) in out,
                           "exit %d, expected %d; output:\n%s" % (rc, code, out)))
        for what, ok, detail in checks:
            n += 1
            print("%s %d - config: %s" % ("ok" if ok else "not ok", n, what))
            if not ok:
                failed += 1
                print("# " + detail.replace("\n", "\n# "))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
