"""A local Neo4j 5 Community server that Samhandlingsgraf starts itself (no Docker).

The production engine, on a laptop or a CI machine: `tools/neo4j/pom.xml` pins Neo4j
Community (the 5.26 LTS line that the compose file's `neo4j:5` image runs), Maven fetches its
jars once into `tools/neo4j/lib/` and `javac` compiles the launcher `tools/neo4j/src/`. The
launcher starts the DBMS with Bolt on 127.0.0.1 (a free port), authentication on and a
generated password, in `<SAMGRAF_DB_PATH>/neo4j/`, and writes `connection.json` there when it
answers. `graph.dialect.Neo4jDialect` reads that file when `NEO4J_URI` is not set, so
`samgraf db start --neo4j` followed by `SAMGRAF_STORE=neo4j samgraf …` needs no other setup.

Cost, measured on the 2-core CI machine: about 12 s to start (the first start also fetches
~125 MB of jars, ~30 s) and 0.4–1.3 GB of memory (heap `SAMGRAF_NEO4J_HEAP`, default 1g, plus
the page cache `SAMGRAF_NEO4J_PAGECACHE_MB`, default 512).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graph.procs import pid_alive
from graph.settings import REPO_ROOT

TOOLS = REPO_ROOT / "tools" / "neo4j"
LAUNCHER = "SamgrafNeo4j"


class Neo4jLocalError(RuntimeError):
    pass


@dataclass(frozen=True)
class Connection:
    uri: str
    routing_uri: str
    username: str
    password: str
    pid: int
    version: str = ""

    def env(self) -> dict[str, str]:
        return {
            "NEO4J_URI": self.uri,
            "NEO4J_USERNAME": self.username,
            "NEO4J_PASSWORD": self.password,
        }


def read_connection(home: Path) -> Connection | None:
    """The connection of a running local server in `home`, or None."""
    path = home / "connection.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    conn = Connection(
        uri=data["uri"],
        routing_uri=data["routing_uri"],
        username=data["username"],
        password=data["password"],
        pid=int(data["pid"]),
        version=str(data.get("version", "")),
    )
    return conn if pid_alive(conn.pid) else None


def _run(args: list[str], cwd: Path, what: str) -> None:
    try:
        proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=900)
    except FileNotFoundError as exc:
        raise Neo4jLocalError(
            f"{args[0]} mangler: installer en JDK 17+ og Maven "
            "(Debian: apt-get install openjdk-17-jdk-headless maven)"
        ) from exc
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr)[-3000:]
        raise Neo4jLocalError(f"{what} feilet ({' '.join(args[:3])} …):\n{tail}")


def prepare(tools: Path = TOOLS) -> Path:
    """Fetch the jars (once) and compile the launcher (when its source changed)."""
    lib, build = tools / "lib", tools / "build"
    marker = lib / ".complete"
    pom = tools / "pom.xml"
    if not marker.exists() or marker.read_text() != pom.read_text():
        if lib.exists():
            shutil.rmtree(lib)
        _run(
            ["mvn", "-B", "-q", "dependency:copy-dependencies", f"-DoutputDirectory={lib}"],
            tools,
            "Henting av Neo4j fra Maven",
        )
        marker.write_text(pom.read_text())
    source = tools / "src" / f"{LAUNCHER}.java"
    compiled = build / f"{LAUNCHER}.class"
    if not compiled.exists() or compiled.stat().st_mtime < source.stat().st_mtime:
        build.mkdir(exist_ok=True)
        _run(
            ["javac", "-d", str(build), "-cp", f"{lib}/*", str(source)],
            tools,
            "Kompilering av Neo4j-starteren",
        )
    return tools


class LocalNeo4j:
    """The server whose data lives in `home` (normally `<SAMGRAF_DB_PATH>/neo4j`)."""

    def __init__(self, home: Path, tools: Path = TOOLS):
        self.home = home.resolve()
        self.tools = tools

    def connection(self) -> Connection | None:
        return read_connection(self.home)

    def start(
        self, timeout: float = 180.0, port: int | None = None, parent_pid: int | None = None
    ) -> Connection:
        """Start the server unless one already runs in `home`; return its connection.

        With `parent_pid` the server stops by itself when that process is gone (the test
        suite passes its own pid, so no server outlives a killed test run).
        """
        running = self.connection()
        if running is not None:
            return running
        prepare(self.tools)
        self.home.mkdir(parents=True, exist_ok=True)
        (self.home / "connection.json").unlink(missing_ok=True)
        java = shutil.which("java") or "java"
        heap = os.environ.get("SAMGRAF_NEO4J_HEAP", "1g")
        args = [
            java,
            f"-Xmx{heap}",
            "-XX:+UseG1GC",
            "-cp",
            f"{self.tools / 'lib'}/*:{self.tools / 'build'}",
            LAUNCHER,
            str(self.home),
        ]
        if port:
            args.append(str(port))
        log = open(self.home / "server.log", "ab")  # noqa: SIM115 - handed to the child
        try:
            env = dict(os.environ)
            env.pop("SAMGRAF_NEO4J_PARENT_PID", None)
            if parent_pid:
                env["SAMGRAF_NEO4J_PARENT_PID"] = str(parent_pid)
            proc = subprocess.Popen(
                args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env
            )
        finally:
            log.close()
        (self.home / "server.pid").write_text(str(proc.pid))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise Neo4jLocalError(f"Neo4j stoppet ved oppstart:\n{self._log_tail()}")
            conn = self.connection()
            if conn is not None:
                return conn
            time.sleep(0.2)
        proc.kill()
        raise Neo4jLocalError(f"Neo4j svarte ikke innen {timeout:.0f} s:\n{self._log_tail()}")

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return (self.home / "server.log").read_text(errors="replace")[-3000:]
        return ""

    def _pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            pid = int((self.home / "server.pid").read_text().strip())
            return pid if pid_alive(pid) else None
        return None

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the server (SIGTERM: a clean shutdown); True if one was running."""
        pid = self._pid()
        if pid is None:
            (self.home / "connection.json").unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and pid_alive(pid):
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            time.sleep(0.1)
        if pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
        (self.home / "connection.json").unlink(missing_ok=True)
        (self.home / "server.pid").unlink(missing_ok=True)
        return True


def local_home(db_path: Path) -> Path:
    return db_path / "neo4j"


def main(argv: list[str] | None = None) -> int:
    """`python -m graph.neo4j_local start|stop|env HOME`: for make and CI scripts."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] not in {"start", "stop", "env"}:
        print("bruk: python -m graph.neo4j_local start|stop|env HOME", file=sys.stderr)
        return 2
    server = LocalNeo4j(Path(args[1]))
    try:
        if args[0] == "stop":
            server.stop()
            return 0
        conn = server.start() if args[0] == "start" else server.connection()
    except Neo4jLocalError as exc:
        print(f"Feil: {exc}", file=sys.stderr)
        return 1
    if conn is None:
        print("Neo4j kjører ikke", file=sys.stderr)
        return 1
    for key, value in conn.env().items():
        print(f"export {key}={value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
