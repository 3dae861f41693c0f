"""Serve Dystonia Atlas from several Streamlit processes behind HAProxy (`./dev serve`).

One Streamlit process runs the whole app on one core (the GIL), so more users need more
processes. Each replica listens on a loopback port; HAProxy, from Debian's `haproxy` package,
listens on the public port, keeps each browser on one replica with a cookie and health-checks
every replica (see deploy/haproxy.cfg for why each setting is there).

The same code starts the replicas for `./dev serve`, for tests/serve and for the load benchmark,
so what is tested is what is served.

    python deploy/serve.py --replicas 2 --port 8501 [--address 0.0.0.0]
"""

from __future__ import annotations

import argparse
import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "haproxy.cfg"
HAPROXY = "haproxy"
STARTUP_SECONDS = 120  # a cold replica on a busy 2-core machine imports pandas, pyarrow, pydeck...

# Streamlit options every replica gets. Each is a command-line flag so it overrides
# .streamlit/config.toml for this deployment only.
REPLICA_OPTIONS = {
    "server.headless": "true",
    "server.fileWatcherType": "none",  # no reload on file change in production; saves a thread and inotify
    "server.runOnSave": "false",
    "browser.gatherUsageStats": "false",
    # The proxy passes the browser's Host header through, so the websocket's Origin matches its
    # Host and Streamlit's default CORS and XSRF protections stay on.
    "server.enableCORS": "true",
    "server.enableXsrfProtection": "true",
}


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((address, 0))
        return sock.getsockname()[1]


def die_with_parent() -> None:
    """Runs in the child before exec: the kernel sends SIGTERM if the supervising process dies,
    so a killed `./dev serve` never leaves replicas or a proxy behind."""
    PR_SET_PDEATHSIG = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # not Linux: Ctrl-C and SIGTERM handling still stop everything
        pass


def health_ok(url: str, timeout: float = 2.0) -> bool:
    """Streamlit's own readiness signal: GET /_stcore/health answers "ok"."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, never via a proxy
    try:
        with opener.open(f"{url}/_stcore/health", timeout=timeout) as response:
            return response.status == 200 and response.read() == b"ok"
    except (OSError, urllib.error.URLError):
        return False


@dataclass
class Streamlit:
    """One `streamlit run` process on a loopback port."""
    name: str
    script: Path
    port: int
    log: Path
    env: dict[str, str]
    process: subprocess.Popen | None = None
    options: tuple[str, ...] = ()  # more `streamlit run` flags, after the replica's own

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> None:
        options = [f"--{key}={value}" for key, value in REPLICA_OPTIONS.items()]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(self.script), "--server.address", "127.0.0.1",
             "--server.port", str(self.port), *options, *self.options],
            cwd=ROOT, env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def wait_healthy(self, timeout: float = STARTUP_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"{self.name} exited during startup; see {self.log}")
            if health_ok(self.url):
                return
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer /_stcore/health within {timeout:.0f} s; see {self.log}")

    def kill(self) -> None:
        """SIGKILL, as a crash would: no clean shutdown, no goodbye to the websockets."""
        if self.alive():
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def replica_env(cookie_secret: str, changes: dict[str, str | None] | None = None) -> dict[str, str]:
    """The environment every replica shares: this one, with `changes` applied (None removes a
    variable). One cookie secret for all: Streamlit signs its login cookies (st.login) with it, so
    a browser moved to another replica would stay signed in. (The XSRF cookie is a double-submit
    token that any replica accepts without the secret.)"""
    env = dict(os.environ)
    env["STREAMLIT_SERVER_COOKIE_SECRET"] = cookie_secret
    for name, value in (changes or {}).items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env


def render_haproxy_config(bind: str, replicas: list[Streamlit], stats_socket: Path | None,
                          template: Path = TEMPLATE) -> str:
    """Fill the committed template: where to listen, the stats socket, one server line per replica.
    The replica's name doubles as its cookie value."""
    servers = "\n".join(f"    server {r.name} 127.0.0.1:{r.port} cookie {r.name}" for r in replicas)
    stats = f"stats socket {stats_socket} mode 600 level admin" if stats_socket else ""
    text = template.read_text()
    for marker, value in (("@@BIND@@", bind), ("@@STATS_SOCKET@@", stats), ("@@SERVERS@@", servers)):
        if marker not in text:
            raise ValueError(f"{template} lost its {marker} marker")
        text = text.replace(marker, value)
    return text


def haproxy_binary() -> str:
    found = shutil.which(HAPROXY) or next((p for p in ("/usr/sbin/haproxy", "/sbin/haproxy") if Path(p).exists()), None)
    if not found:
        raise RuntimeError("HAProxy is missing: install Debian's package (apt-get install haproxy); ./dev serve does")
    return found


@dataclass
class Cluster:
    """N replicas and the proxy in front of them; a context manager that stops all it started."""
    replicas: int = 2
    port: int = 8501
    address: str = "127.0.0.1"
    script: Path = ROOT / "app.py"
    env: dict[str, str | None] | None = None  # changes to this environment for the replicas
    workdir: Path | None = None
    members: list[Streamlit] = field(default_factory=list)
    proxy: subprocess.Popen | None = None

    def __post_init__(self) -> None:
        self._tempdir = None
        if self.workdir is None:
            self._tempdir = tempfile.TemporaryDirectory(prefix="atlas-serve-")
            self.workdir = Path(self._tempdir.name)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config_path = self.workdir / "haproxy.cfg"
        # A Unix socket path may be at most ~100 bytes, so it lives in a short private folder.
        self._socket_dir = tempfile.TemporaryDirectory(prefix="atlas-haproxy-")
        self.stats_socket = Path(self._socket_dir.name) / "stats.sock"
        self.proxy_log = self.workdir / "haproxy.log"

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.address in ("0.0.0.0", "::", "*") else self.address
        return f"http://{host}:{self.port}"

    def start(self) -> Cluster:
        try:
            binary = haproxy_binary()
            env = replica_env(secrets.token_hex(32), self.env)
            self.members = [Streamlit(f"r{i + 1}", self.script, free_port(), self.workdir / f"r{i + 1}.log", env)
                            for i in range(self.replicas)]
            for member in self.members:  # start all, then wait: they import in parallel
                member.log.write_bytes(b"")
                member.start()
            for member in self.members:
                member.wait_healthy()
            self.config_path.write_text(render_haproxy_config(f"{self.address}:{self.port}", self.members,
                                                              self.stats_socket))
            check = subprocess.run([binary, "-c", "-q", "-f", str(self.config_path)], capture_output=True, text=True)
            if check.returncode != 0:
                raise RuntimeError(f"haproxy rejected {self.config_path}:\n{check.stdout}{check.stderr}")
            self.proxy = subprocess.Popen([binary, "-db", "-f", str(self.config_path)], cwd=self.workdir,
                                          stdout=self.proxy_log.open("wb"), stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL, preexec_fn=die_with_parent)
            self.wait_proxy_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def wait_proxy_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proxy.poll() is not None:
                raise RuntimeError(f"haproxy exited; see {self.proxy_log}")
            if health_ok(self.url):
                return
            time.sleep(0.1)
        raise RuntimeError(f"the proxy did not answer {self.url}/_stcore/health within {timeout:.0f} s")

    def member(self, name: str) -> Streamlit:
        return next(m for m in self.members if m.name == name)

    def restart(self, name: str) -> None:
        """Start a dead replica again on its port; the proxy's health check takes it back."""
        member = self.member(name)
        member.stop()
        member.start()
        member.wait_healthy()

    def server_states(self) -> dict[str, str]:
        """The proxy's own view of each replica (UP, DOWN, ...), from its stats socket."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(5)
            sock.connect(str(self.stats_socket))
            sock.sendall(b"show stat\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        lines = b"".join(chunks).decode().splitlines()
        header = lines[0].lstrip("# ").split(",")
        states = {}
        for line in lines[1:]:
            row = dict(zip(header, line.split(",")))
            if row.get("pxname") == "streamlit" and row.get("svname") not in ("BACKEND", "FRONTEND", None):
                states[row["svname"]] = row["status"].split(" ")[0]
        return states

    def wait_state(self, name: str, state: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.server_states().get(name) == state:
                return
            time.sleep(0.2)
        raise TimeoutError(f"the proxy did not report {name} {state} within {timeout:.0f} s: {self.server_states()}")

    def stop(self) -> None:
        if self.proxy is not None and self.proxy.poll() is None:
            self.proxy.terminate()
            try:
                self.proxy.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proxy.kill()
                self.proxy.wait()
        for member in self.members:
            member.stop()
        for folder in (self._tempdir, self._socket_dir):
            if folder is not None:
                folder.cleanup()
        self._tempdir = self._socket_dir = None

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def supervise(cluster: Cluster) -> int:
    """Keep serving until Ctrl-C or SIGTERM; restart a replica that dies (the proxy routes around
    it meanwhile). Returns the exit status."""
    stopping = False

    def request_stop(signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGHUP, request_stop)
    restarts: dict[str, float] = {}
    while not stopping:
        time.sleep(0.5)
        if stopping:  # Ctrl-C reaches the whole process group: children exiting now is expected
            break
        if cluster.proxy.poll() is not None:
            print(f"haproxy exited with status {cluster.proxy.returncode}; see {cluster.proxy_log}", file=sys.stderr)
            return 1
        for member in cluster.members:
            if not member.alive() and time.monotonic() - restarts.get(member.name, 0) > 5:
                print(f"replica {member.name} exited; restarting it (log: {member.log})", file=sys.stderr)
                restarts[member.name] = time.monotonic()
                member.start()  # the health check takes it back once it answers
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./dev serve", description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=max(1, os.cpu_count() or 1),
                        help="Streamlit processes to run (default: one per core)")
    parser.add_argument("--port", type=int, default=8501, help="port the proxy listens on (default 8501)")
    parser.add_argument("--address", default="127.0.0.1",
                        help="address the proxy listens on (default 127.0.0.1; 0.0.0.0 for every interface)")
    parser.add_argument("--logs", type=Path, default=None,
                        help="folder for the rendered haproxy.cfg and each process's log (default: a temporary folder)")
    args = parser.parse_args(argv)
    if args.replicas < 1:
        parser.error("--replicas must be at least 1")
    cluster = Cluster(replicas=args.replicas, port=args.port, address=args.address, workdir=args.logs)
    print(f"starting {args.replicas} replica(s) and HAProxy (logs in {cluster.workdir})", file=sys.stderr)

    def interrupt(signum, _frame):
        raise KeyboardInterrupt  # during startup, SIGTERM stops what has started, like Ctrl-C

    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGHUP, interrupt)
    try:
        cluster.start()  # stops whatever it started if it fails or is interrupted
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted during startup; stopped everything", file=sys.stderr)
        return 130
    ports = ", ".join(f"{m.name} on 127.0.0.1:{m.port}" for m in cluster.members)
    print(f"serving Dystonia Atlas at http://{args.address}:{args.port} ({ports}); Ctrl-C stops everything",
          file=sys.stderr)
    try:
        return supervise(cluster)
    finally:
        cluster.stop()
        print("stopped the proxy and every replica", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
