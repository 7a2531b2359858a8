"""Real parts for the fault tests: a gunicorn app server and `db_worker` processes on the test
database, a real SMTP server (aiosmtpd) that can hold a message until the test decides, teachers
as HTTP clients, and a way to kill the app's database connections. Everything on 127.0.0.1."""

import http.client
import os
import queue
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from email import message_from_bytes
from pathlib import Path

import psycopg
from aiosmtpd.controller import Controller
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
HOST = "127.0.0.1"
APP, WORKER = "pilots-app", "pilots-worker"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def database_url(application_name: str) -> str:
    db = connection.settings_dict
    return (f"postgres://{db['USER']}@{db['HOST'] or HOST}:{db['PORT'] or 5432}/{db['NAME']}"
            f"?application_name={application_name}")


def environment(smtp_port: int, application_name: str, **extra) -> dict:
    env = {
        **os.environ,
        "PILOTS_TESTING": "1",  # plain static files, no HTTPS redirect: the rest is production's
        "DEBUG": "false",
        "DATABASE_URL": database_url(application_name),
        "CONN_MAX_AGE": "60",
        "TASKS_BACKEND": "pilots.tasks_backend.DatabaseBackend",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": HOST,
        "EMAIL_PORT": str(smtp_port),
        "PILOTS_REGISTRATION_RATE": "100000/m",
        "PILOTS_EMAIL_RETRY_SECONDS": "0.5",
        "PILOTS_WORKER_HEARTBEAT_SECONDS": "0.3",
        "PILOTS_WORKER_STALE_AFTER": "2",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    env.update(extra)
    return env


def stop(process: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def start_app(smtp_port: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(
        [GUNICORN, "config.wsgi", "--bind", f"{HOST}:{port}", "--workers", "4", "--log-level", "warning"],
        cwd=ROOT, env=environment(smtp_port, APP), start_new_session=True,
    )
    for _ in range(150):
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/")
            if conn.getresponse().status == 200:
                return server, port
        except OSError:
            time.sleep(0.1)
    stop(server)
    raise RuntimeError("gunicorn did not start")


def start_worker(smtp_port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.1",
         "-v", "0"],
        cwd=ROOT, env=environment(smtp_port, WORKER), start_new_session=True,
    )


def kill_connections(application_name: str) -> int:
    """Terminate every server connection of the app (or the worker), as a database restart or a
    dropped network path would; returns how many."""
    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"] or HOST, port=db["PORT"] or 5432, user=db["USER"],
                         dbname=db["NAME"], autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            [application_name],
        ).fetchall()
    return len(rows)


class Mailbox:
    """aiosmtpd handler: keeps every accepted message. With `hold` set, each message waits in DATA
    until the test answers `accept` or `reject` on `decisions` (it learns of it on `arrivals`)."""

    def __init__(self):
        self.messages, self.lock = [], threading.Lock()
        self.hold = False
        self.arrivals, self.decisions = queue.Queue(), queue.Queue()

    async def handle_DATA(self, server, session, envelope):
        if self.hold:
            self.arrivals.put(envelope.rcpt_tos)
            decision = await server.loop.run_in_executor(None, self.decisions.get)
            if decision != "accept":
                return "451 Try again later"
        message = message_from_bytes(envelope.original_content)
        with self.lock:
            self.messages.append({"to": envelope.rcpt_tos[0], "subject": message["Subject"]})
        return "250 Message accepted for delivery"

    def count_by_recipient(self) -> dict:
        with self.lock:
            counts = {}
            for message in self.messages:
                counts[message["to"]] = counts.get(message["to"], 0) + 1
            return counts


class SmtpServer:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.mailbox = Mailbox()
        self.controller = None

    def start(self):
        self.controller = Controller(self.mailbox, hostname=HOST, port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


class Teacher:
    """A teacher's browser, kept simple: cookies by hand (as a browser sends them over http on
    127.0.0.1), the form fetched for its CSRF token, and one more try when a page says so."""

    def __init__(self, port: int, number: int):
        self.port, self.number, self.cookies = port, number, {}
        self.email = f"teacher.{number}@example.org"
        self.responses = []  # (method, status) of every response seen

    def request(self, method, path, body=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read().decode()
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        self.responses.append((method, response.status))
        return response.status, response.getheader("Location"), data

    def register(self, cohort_code: str, fields: dict, tries: int = 4) -> str:
        """Fill in and send the form as a person would, sending again after a "try again" page.
        Returns what the teacher was finally shown: registered, already_registered or failed."""
        path = f"/cohorts/{cohort_code}/register/"
        for _ in range(tries):
            status, _location, page = self.request("GET", path)
            if status != 200:
                time.sleep(0.2)
                continue
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
            body = urllib.parse.urlencode(
                {**fields, "csrfmiddlewaretoken": token, "email": self.email,
                 "given_name": f"ចាន់ថា {self.number}", "given_name_latin": f"Chantha {self.number}"},
                doseq=True,
            )
            status, location, page = self.request("POST", path, body)
            if status == 302:
                self.request("GET", urllib.parse.urlsplit(location).path)  # the confirmation page
                return "registered"
            if status == 200 and "You are already registered" in page:
                return "already_registered"
            time.sleep(0.2)  # a "try again" page (503): the teacher taps Send again
        return "failed"


def wait_for(predicate, timeout=30.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False
