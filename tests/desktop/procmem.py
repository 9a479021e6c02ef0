"""The memory of a program as the kernel counts it: the proportional set size (PSS) summed over
the program's own processes. For the desktop app these are the app itself and the helpers
WebKitGTK starts for its window (the web process that runs the page, the network process);
a page shared by two of them counts half in each, so the sum is what the app adds to the
machine. Resident sizes (RSS) count shared pages once per process and overstate it."""

import os
import re
from collections import defaultdict


def _stat(pid):
    """(comm, ppid) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            raw = f.read()
    except OSError:
        return None
    # comm is in parentheses and may itself hold spaces or parentheses: split at the last ')'.
    head, _, rest = raw.rpartition(")")
    comm = head.partition("(")[2]
    fields = rest.split()
    return comm, int(fields[1])


def tree(root):
    """The root process and all its descendants, found through their parents' ids
    (WebKit's processes are children of the app, or of the sandbox it starts them in)."""
    children = defaultdict(list)
    comms = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        st = _stat(int(name))
        if st:
            comms[int(name)] = st[0]
            children[st[1]].append(int(name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in comms:
            found.append((pid, comms[pid]))
            todo.extend(children.get(pid, []))
    return found


def rollup(pid):
    """{'Pss': kB, 'Rss': kB, ...} of one process from /proc/PID/smaps_rollup; {} when gone."""
    out = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="utf-8") as f:
            for line in f:
                m = re.match(r"(\w+):\s+(\d+) kB", line)
                if m:
                    out[m.group(1)] = int(m.group(2))
    except OSError:
        pass
    return out


def snapshot(root):
    """[(pid, comm, pss_kib, rss_kib)] over the root's process tree, and the PSS total (KiB)."""
    rows = []
    for pid, comm in tree(root):
        r = rollup(pid)
        if r:
            rows.append((pid, comm, r.get("Pss", 0), r.get("Rss", 0)))
    return rows, sum(r[2] for r in rows)


def by_mapping(pid, top=15):
    """Where one process's PSS lies, grouped by what is mapped: each library or file, the
    heap, thread stacks, and anonymous memory; the largest first, in KiB."""
    groups = defaultdict(lambda: [0, 0])  # name -> [pss, anonymous]
    name = None
    try:
        with open(f"/proc/{pid}/smaps", encoding="utf-8", errors="replace") as f:
            for line in f:
                m = re.match(r"^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$", line)
                if m:
                    name = m.group(1).strip() or "[anonymous]"
                    name = re.sub(r" \(deleted\)$", "", name)
                    continue
                m = re.match(r"(Pss|Anonymous):\s+(\d+) kB", line)
                if m and name:
                    groups[name][0 if m.group(1) == "Pss" else 1] += int(m.group(2))
    except OSError:
        return []
    rows = sorted(((n, p, a) for n, (p, a) in groups.items()), key=lambda r: -r[1])
    return rows[:top]


def mib(kib):
    return kib / 1024.0
