"""A throwaway PostgreSQL cluster of the test's own (initdb, its own port), so that a
test can freeze it with SIGSTOP without touching the shared server other tests use.

    with throwaway_postgres() as pg:      # skips when PostgreSQL is not installed
        pg.url                            # postgresql+psycopg://...
        pg.freeze(); pg.thaw()            # SIGSTOP / SIGCONT every process of the cluster
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from slack_standin import free_port
from store_backends import postgres_url_or_skip


def find_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: [
        int(x) if x.isdigit() else 0 for x in Path(p).parent.name.split(".")])
    for d in reversed(found):
        if os.access(os.path.join(d, "initdb"), os.X_OK):
            return Path(d)
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@dataclass
class Cluster:
    bindir: Path
    datadir: Path
    port: int
    owner: str | None  # run the server as this user (initdb refuses root)
    frozen: list[int] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.owner:
            cmd = ["runuser", "-u", self.owner, "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)

    def pids(self) -> list[int]:
        """The postmaster and every process it started."""
        head = (self.datadir / "postmaster.pid").read_text().split("\n", 1)[0]
        master = int(head)
        children = []
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                children.append(int(Path(stat).parent.name))
        return [master, *children]

    def freeze(self) -> None:
        self.frozen = self.pids()
        for pid in self.frozen:
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in self.frozen:
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        self.frozen = []


@contextmanager
def throwaway_postgres() -> Iterator[Cluster]:
    postgres_url_or_skip()  # the PostgreSQL leg runs, or the test is skipped like the others
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL binaries (initdb) are not installed")
    with start_cluster(bindir) as cluster:
        yield cluster


@contextmanager
def start_cluster(bindir: Path) -> Iterator[Cluster]:
    """initdb and start a cluster on a free port; stop and remove it afterwards."""
    owner = "postgres" if os.geteuid() == 0 else None
    datadir = Path(tempfile.mkdtemp(prefix="certdesk-pgfreeze-"))
    if owner:
        shutil.chown(datadir, owner)
    cluster = Cluster(bindir, datadir / "data", free_port(), owner)
    cluster._run("initdb", "-D", str(cluster.datadir), "-U", "postgres", "--auth=trust",
                 "-E", "UTF8", "--locale=C.UTF-8")
    opts = (f"-p {cluster.port} -k {datadir} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=50")
    cluster._run("pg_ctl", "-D", str(cluster.datadir), "-l", str(datadir / "server.log"),
                 "-w", "-t", "60", "-o", opts, "start")
    try:
        yield cluster
    finally:
        cluster.thaw()
        try:
            cluster._run("pg_ctl", "-D", str(cluster.datadir), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(datadir, ignore_errors=True)
