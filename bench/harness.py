"""What the benchmark drives: the simulator, Odoo servers, the ORM worker.

Each runs as a process of its own, its log in ``.test-logs/bench-*.log``;
the Odoo server is talked to over JSON-RPC like the web client, and its
memory read from ``/proc``.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import requests

ROOT = Path(__file__).resolve().parents[1]
LOGS = ROOT / ".test-logs"
SIMULATOR_DIR = ROOT / "simulator"
sys.path.insert(0, str(SIMULATOR_DIR))

from lazada_simulator import ControlClient as LazadaControlClient  # noqa: E402
from shopee_simulator import ControlClient  # noqa: E402

SHOP_ID = 600100200
PUSH_KEY = "shpk-simulator-demo-push-key"
# A runjob line of the access log: uuid, then query count, query time and the
# rest of the time (Odoo's PerfFilter).
RUNJOB_LINE = re.compile(
    r"GET /queue_job/runjob\?db=[^&]+&job_uuid=([0-9a-f-]+) HTTP/1\.[01]\" "
    r"\d+ - (\d+) ([\d.]+) ([\d.]+)"
)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, timeout, interval=0.2, message="condition"):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"{message}: not reached after {timeout}s")
        time.sleep(interval)


def odoo_options(db, addons_path):
    return [
        "-c",
        str(ROOT / "odoo.conf"),
        f"--addons-path={addons_path}",
        f"--db_host={os.environ.get('PGHOST', 'localhost')}",
        f"--db_port={os.environ.get('PGPORT', '5432')}",
        f"--db_user={os.environ.get('PGUSER', 'odoo')}",
        f"--db_password={os.environ.get('PGPASSWORD', 'odoo')}",
        "-d",
        db,
    ]


class Simulator:
    """``python -m shopee_simulator`` on a free port."""

    module = "shopee_simulator"
    control_class = ControlClient

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        LOGS.mkdir(exist_ok=True)
        self.log = open(LOGS / f"bench-{self.module}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                self.module,
                "--port",
                str(self.port),
                "--orders",
                "0",
                "--no-seed-orders",
            ],
            cwd=SIMULATOR_DIR,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.control = self.control_class(self.url, timeout=900)
        wait_until(self._up, 30, message="simulator start")

    def _up(self):
        assert self.process.poll() is None, "the simulator exited"
        try:
            self.control.state()
            return True
        except OSError:
            return False

    def calls(self):
        return dict(self.control.state()["calls"])

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)
        self.log.close()


class LazadaSimulator(Simulator):
    """``python -m lazada_simulator`` on a free port."""

    module = "lazada_simulator"
    control_class = LazadaControlClient


class RPCError(RuntimeError):
    pass


class Odoo:
    """JSON-RPC as the web client, logged in as admin."""

    def __init__(self, url, db):
        self.url, self.db = url, db
        self.session = requests.Session()
        answer = self.session.post(
            f"{url}/web/session/authenticate",
            json={"params": {"db": db, "login": "admin", "password": "admin"}},
            timeout=120,
        ).json()
        if not answer.get("result", {}).get("uid"):
            raise RPCError(f"login failed: {answer}")

    def call(self, model, method, *args, **kwargs):
        answer = self.session.post(
            f"{self.url}/web/dataset/call_kw/{model}/{method}",
            json={
                "params": {
                    "model": model,
                    "method": method,
                    "args": list(args),
                    "kwargs": kwargs,
                }
            },
            timeout=900,
        ).json()
        if "error" in answer:
            error = answer["error"]
            raise RPCError((error.get("data") or {}).get("message") or str(error))
        return answer["result"]

    def read_one(self, model, record_id, fields):
        return self.call(model, "read", [record_id], fields)[0]


class OdooServer:
    """``python -m odoo`` on the benchmark database (queue_job's runner in
    threaded mode), or ``--workers=N`` (prefork, runner off: see README)."""

    def __init__(self, db, addons_path, name, workers=0, runner=False):
        self.db, self.addons_path, self.workers = db, addons_path, workers
        self.runner = runner or not workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = LOGS / f"bench-{name}.log"
        self.log = open(self.log_path, "a")  # noqa: SIM115
        self.process = None

    def command(self):
        command = [
            sys.executable,
            "-m",
            "odoo",
            *odoo_options(self.db, self.addons_path),
            f"--db-filter=^{self.db}$",
            f"--http-port={self.port}",
            "--max-cron-threads=0",
            "--log-level=info",
        ]
        if self.workers:
            command.append(f"--workers={self.workers}")
        if not self.runner:
            command.append("--load=base,web")
        return command

    def start(self):
        self.log.write(f"\n==== start {time.strftime('%H:%M:%S')} ====\n")
        self.log.flush()
        self.log_offset = self.log_path.stat().st_size
        self.process = subprocess.Popen(
            self.command(), stdout=self.log, stderr=subprocess.STDOUT
        )

        def ready():
            assert self.process.poll() is None, f"Odoo exited: see {self.log_path}"
            try:
                return requests.get(f"{self.url}/web/login", timeout=5).ok
            except requests.RequestException:
                return False

        wait_until(ready, 180, message=f"Odoo start (see {self.log_path})")
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(30)

    def restart(self):
        self.stop()
        return self.start()

    def client(self):
        return Odoo(self.url, self.db)

    def pids(self):
        """The server's process and, in prefork mode, its workers."""
        pids, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            try:
                for task in os.listdir(f"/proc/{pid}/task"):
                    with open(f"/proc/{pid}/task/{task}/children") as children:
                        todo += [int(child) for child in children.read().split()]
            except OSError:
                continue
        return pids

    def memory(self):
        """(current RSS, peak RSS) in MiB: of the server process, summed over
        its workers in prefork mode (the peak then an upper bound)."""
        rss = peak = 0.0
        for pid in self.pids():
            try:
                with open(f"/proc/{pid}/status") as status:
                    for line in status:
                        key, _sep, value = line.partition(":")
                        if key == "VmRSS":
                            rss += int(value.split()[0]) / 1024
                        elif key == "VmHWM":
                            peak += int(value.split()[0]) / 1024
            except OSError:
                continue
        return rss, peak

    def runjob_queries(self, uuids):
        """{uuid: (queries, query seconds, other seconds)} from the access log
        (the last run of each queue job)."""
        wanted, found = set(uuids), {}
        with open(self.log_path, errors="replace") as log:
            log.seek(self.log_offset)
            for line in log:
                if "runjob" not in line:
                    continue
                match = RUNJOB_LINE.search(line)
                if match and match.group(1) in wanted:
                    found[match.group(1)] = (
                        int(match.group(2)),
                        float(match.group(3)),
                        float(match.group(4)),
                    )
        return found


class MemorySampler:
    """Samples a server's RSS every 0.2 s while in use."""

    def __init__(self, server):
        self.server, self.peak, self.stop_event = server, 0.0, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self.stop_event.is_set():
            try:
                self.peak = max(self.peak, self.server.memory()[0])
            except OSError:
                return
            self.stop_event.wait(0.2)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        self.thread.join()


class Worker:
    """``bench/odoo_worker.py``: commands in, JSON answers out."""

    def __init__(self, db, addons_path):
        self.log = open(LOGS / "bench-worker.log", "a")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).with_name("odoo_worker.py")),
                *odoo_options(db, addons_path),
                "--log-level=warn",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
        )
        assert json.loads(self._read())["ready"]

    def _read(self):
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the ORM worker exited: see .test-logs/bench-worker.log")
        return line

    def __call__(self, command, **args):
        self.process.stdin.write(json.dumps({"command": command, "args": args}) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self._read())
        if not answer["ok"]:
            raise RuntimeError(f"worker {command}: {answer['error']}")
        return answer["result"]

    def stop(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(60)
        self.log.close()


def connect_shop(odoo, account_id, simulator_url, shop_id=SHOP_ID):
    """Connect shop through the simulator's consent page (as tests/ do)."""
    odoo.call(
        "marketplace.account",
        "write",
        [account_id],
        {"shopee_simulator_url": simulator_url},
    )
    action = odoo.call("marketplace.account", "action_shopee_connect", [account_id])
    consent = requests.get(action["url"], timeout=30)
    consent.raise_for_status()
    form_action = re.search(r'<form[^>]*action="([^"]+)"', consent.text).group(1)
    fields = dict(
        re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', consent.text)
    )
    fields.update({"shop_id": str(shop_id), "authorize": "1"})
    back = requests.post(
        urljoin(consent.url, form_action),
        data=fields,
        allow_redirects=False,
        timeout=30,
    )
    callback = back.headers["Location"]
    assert parse_qs(urlparse(callback).query)["shop_id"] == [str(shop_id)]
    page = odoo.session.get(callback, timeout=120)
    assert "Shop connected" in page.text, page.text[:500]
    [shop] = odoo.call(
        "marketplace.shop",
        "search_read",
        [("account_id", "=", account_id), ("external_id", "=", str(shop_id))],
        ["id"],
    )
    return shop["id"]
