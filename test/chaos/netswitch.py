#!/usr/bin/env python3
"""A userspace Ethernet switch with per-link faults: the chaos suite's LAN (test/chaos/README.md).

Each chaos peer's network namespace holds one TAP device whose other end is a file descriptor in
this process. Frames are forwarded like a learning bridge (unicast to the port that owns the MAC,
broadcast and multicast to every other port), and each directed link (from port, to port) gets
its own faults: blocked (a partition, possibly one way), random loss, delay with jitter (so
frames reorder), duplication. That is what `tc netem` and iptables would do, done here because
the kernels this suite runs on may have neither (no sch_netem, no tc actions, no netfilter
tools): TAP devices and iproute2 are all it needs.

Run inside a namespace of its own (`ip netns exec <ns> python3 netswitch.py`): the TAP devices
are born there and moved into the peers' namespaces, so nothing ever appears in the machine's
default namespace, and no frame (mDNS multicast included) can leave the ports it was given.

Protocol: JSON lines on stdin, one answer line per command on stdout:
  {"id": 1, "cmd": "add", "port": "p3", "dev": "sy1234p3"}   create a TAP device for a port
  {"id": 2, "cmd": "del", "port": "p3"}                       close it (the device disappears)
  {"id": 3, "cmd": "rules", "default": {...}, "links": {"p0>p1": {...}}}
      link rule fields: block (bool), loss (0..1), delay_ms, jitter_ms, dup (0..1)
  {"id": 4, "cmd": "stats"}
"""

import fcntl
import heapq
import json
import os
import random
import select
import struct
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000

ports = {}  # name -> fd
fd_port = {}  # fd -> name
macs = {}  # mac bytes -> port name
rules = {"default": {}, "links": {}}
queue = []  # (due, seq, port, frame)
seq = 0
stats = {
    "frames": 0,
    "forwarded": 0,
    "blocked": 0,
    "lost": 0,
    "delayed": 0,
    "duplicated": 0,
    "write_errors": 0,
    "mdns": 0,
    "rx": {},
    "tx": {},
}
rng = random.Random(int(os.environ.get("SWITCH_SEED", "1")))


def open_tap(dev):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", dev.encode(), IFF_TAP | IFF_NO_PI))
    return fd


def rule_for(src, dst):
    return rules["links"].get(src + ">" + dst) or rules["default"]


def is_mdns(frame):
    # IPv4, UDP, destination port 5353.
    if len(frame) < 38 or frame[12:14] != b"\x08\x00" or frame[23] != 17:
        return False
    ihl = (frame[14] & 0x0F) * 4
    off = 14 + ihl
    return len(frame) >= off + 4 and frame[off + 2 : off + 4] == b"\x14\xe9"


def send(port, frame):
    fd = ports.get(port)
    if fd is None:
        return
    try:
        os.write(fd, frame)
        stats["forwarded"] += 1
        stats["tx"][port] = stats["tx"].get(port, 0) + 1
    except OSError:
        stats["write_errors"] += 1


def schedule(port, frame, delay):
    global seq
    seq += 1
    heapq.heappush(queue, (time.monotonic() + delay, seq, port, frame))
    stats["delayed"] += 1


def forward(src, frame):
    stats["frames"] += 1
    stats["rx"][src] = stats["rx"].get(src, 0) + 1
    if len(frame) < 14:
        return
    if is_mdns(frame):
        stats["mdns"] += 1
    dst_mac, src_mac = frame[0:6], frame[6:12]
    macs[src_mac] = src
    if dst_mac[0] & 1:
        targets = [p for p in ports if p != src]
    else:
        known = macs.get(dst_mac)
        targets = [known] if known is not None and known != src else [p for p in ports if p != src]
    for dst in targets:
        r = rule_for(src, dst)
        if r.get("block"):
            stats["blocked"] += 1
            continue
        if rng.random() < r.get("loss", 0):
            stats["lost"] += 1
            continue
        copies = 2 if rng.random() < r.get("dup", 0) else 1
        if copies == 2:
            stats["duplicated"] += 1
        for _ in range(copies):
            delay = (r.get("delay_ms", 0) + rng.random() * r.get("jitter_ms", 0)) / 1000.0
            if delay > 0:
                schedule(dst, frame, delay)
            else:
                send(dst, frame)


def answer(msg):
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()


def command(line, ep):
    global rules
    cmd = json.loads(line)
    cid = cmd.get("id")
    try:
        c = cmd["cmd"]
        if c == "add":
            fd = open_tap(cmd["dev"])
            ports[cmd["port"]] = fd
            fd_port[fd] = cmd["port"]
            ep.register(fd, select.EPOLLIN)
        elif c == "del":
            fd = ports.pop(cmd["port"], None)
            if fd is not None:
                ep.unregister(fd)
                del fd_port[fd]
                os.close(fd)
            for mac in [m for m, p in macs.items() if p == cmd["port"]]:
                del macs[mac]
        elif c == "rules":
            rules = {"default": cmd.get("default") or {}, "links": cmd.get("links") or {}}
        elif c == "stats":
            pass
        else:
            raise ValueError("unknown command " + str(c))
        answer({"id": cid, "ok": True, "stats": stats, "queued": len(queue)})
    except Exception as e:  # noqa: BLE001 - every failure goes back to the harness
        answer({"id": cid, "ok": False, "error": repr(e)})


def main():
    ep = select.epoll()
    stdin = sys.stdin.fileno()
    os.set_blocking(stdin, False)
    ep.register(stdin, select.EPOLLIN)
    pending = b""
    answer({"event": "ready"})
    while True:
        timeout = -1
        if queue:
            timeout = max(0.0, queue[0][0] - time.monotonic())
        for fd, _ in ep.poll(timeout):
            if fd == stdin:
                try:
                    data = os.read(stdin, 65536)
                except BlockingIOError:
                    continue
                if not data:
                    return  # the harness went away: the TAP devices go with us
                pending += data
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    if line.strip():
                        command(line, ep)
                continue
            src = fd_port.get(fd)
            for _ in range(64):
                try:
                    frame = os.read(fd, 65536)
                except (BlockingIOError, OSError):
                    break
                if not frame:
                    break
                forward(src, frame)
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, port, frame = heapq.heappop(queue)
            send(port, frame)


if __name__ == "__main__":
    main()
