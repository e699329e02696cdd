"""What a process holds, read from /proc: file descriptors, TCP sockets and resident memory."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

# /proc/net/tcp's `st` column: the kernel's TCP state numbers.
_STATES = {
    "01": "ESTABLISHED", "02": "SYN_SENT", "03": "SYN_RECV", "04": "FIN_WAIT1",
    "05": "FIN_WAIT2", "06": "TIME_WAIT", "07": "CLOSE", "08": "CLOSE_WAIT",
    "09": "LAST_ACK", "0A": "LISTEN", "0B": "CLOSING",
}  # fmt: skip


def fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except FileNotFoundError:  # closed between the listing and the read
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def tcp_sockets(pid: int) -> Counter[tuple[str, int, int]]:
    """The process's own TCP sockets as (state, local port, remote port), counted."""
    owned = _socket_inodes(pid)
    found: Counter[tuple[str, int, int]] = Counter()
    for table in ("tcp", "tcp6"):
        lines = Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]
        for line in lines:
            fields = line.split()
            local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
            if inode in owned:
                found[(_STATES[state], _port(local), _port(remote))] += 1
    return found


def connections_to(pid: int, port: int) -> int:
    """The process's TCP connections (in any state) whose far end is `port`."""
    return sum(n for (_, _, remote), n in tcp_sockets(pid).items() if remote == port)


def connections_on(pid: int, port: int) -> int:
    """The connections the process accepted on its listening `port` (the listener excluded)."""
    return sum(
        n for (state, local, _), n in tcp_sockets(pid).items()
        if local == port and state != "LISTEN"
    )  # fmt: skip


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for process {pid}")


def _port(address: str) -> int:
    return int(address.rsplit(":", 1)[1], 16)
