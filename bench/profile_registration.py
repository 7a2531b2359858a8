"""Where a registration POST spends its time: pyinstrument over BENCH_PROFILE_POSTS (300) POSTs.

    make profile-registration        (or: .venv/bin/python bench/profile_registration.py)

The same setup as bench/registration.py (its database BENCH_DB with "_profile" appended, production
settings, Redis, the database task backend), but the requests run in this process, handed to the
project's WSGI application (config/wsgi.py, as gunicorn calls it: WhiteNoise, every middleware,
the response, logging) with CSRF checks on, so the profiler sees the whole request, not only the
view. Prints pyinstrument's text report (frames over 1% of the time), the queries of one POST,
and the cohort lock's window: from the locking statement sent to the commit done, median over
BENCH_LOCK_WINDOW_POSTS (200) POSTs from this one client (no other request waits for the lock here,
so this is the time the lock is held, not time spent queueing for it), with its statements' round
trips and the COMMIT; then the CPU per POST of each part of the request, without the profiler,
over BENCH_PARTS_POSTS (1500) POSTs (`cpu_by_part`); and the CPU per GET of the cached public pages
against a bare Django view, BENCH_PAGE_GETS (1000) each (`pages_cpu`).
"""

import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ["BENCH_DB"] = os.environ.get("BENCH_DB", "pilots_i3_bench") + "_profile"

import registration as bench  # noqa: E402  (reads BENCH_DB)

POSTS = int(os.environ.get("BENCH_PROFILE_POSTS", "300"))
WINDOW_POSTS = int(os.environ.get("BENCH_LOCK_WINDOW_POSTS", "200"))
PARTS_POSTS = int(os.environ.get("BENCH_PARTS_POSTS", "1500"))
PAGE_GETS = int(os.environ.get("BENCH_PAGE_GETS", "1000"))


def main():
    bench.prepare_database()
    os.environ.update({k: v for k, v in bench.ENV.items()})
    os.environ["ALLOWED_HOSTS"] = "testserver"
    sys.path.insert(0, str(bench.ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection
    from pyinstrument import Profiler

    from config.wsgi import application

    bench.HOST, bench.PORT = "testserver", 80

    class Adapter:
        """bench.registration() talks to this: one WSGI call per request, cookies kept."""

        number = 0
        cookies = {}

        def request(self, method, path, body=None, headers=None):
            data = (body or "").encode()
            environ = {
                "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "testserver",
                "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
                "HTTP_HOST": "testserver", "HTTP_COOKIE": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                "wsgi.input": io.BytesIO(data), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
                "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
                "CONTENT_LENGTH": str(len(data)),
            }
            for name, value in (headers or {}).items():
                key = name.upper().replace("-", "_")
                environ[key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"] = value
            answer = {}

            def start_response(status, response_headers, exc_info=None):
                answer["status"] = int(status.split()[0])
                for name, value in response_headers:
                    if name.lower() == "set-cookie":
                        cookie, _, _rest = value.partition(";")
                        key, _, val = cookie.partition("=")
                        self.cookies[key.strip()] = val

            result = application(environ, start_response)
            try:
                content = b"".join(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
            return answer["status"], content

    adapter = Adapter()
    bench.registration_prepare(adapter)
    for i in range(20):  # warm up: imports, templates, connections
        assert bench.registration(adapter, 100000 + i) == 302
    queries = []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        assert bench.registration(adapter, 200000) == 302
    # CPU time without the profiler (this process does the client's work too, a small part of it).
    started = time.process_time()
    for i in range(POSTS):
        assert bench.registration(adapter, 400000 + i) == 302
    cpu_ms = (time.process_time() - started) * 1000 / POSTS
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for i in range(POSTS):
        status = bench.registration(adapter, i)
        assert status == 302, status
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False,
                               processor_options={"filter_threshold": 0.01}))
    print(f"{POSTS} POSTs, {profiler.last_session.duration * 1000 / POSTS:.2f} ms each (profiled)")
    print(f"{POSTS} POSTs without the profiler: {cpu_ms:.2f} ms of CPU each (client included)")
    print(f"queries of one registration POST (and its COMMIT): {len(queries)}")
    for sql in queries:
        print("  ", sql[:110])
    window, after_answer, statements, commit = lock_window(adapter, connection)
    print(f"cohort lock held (lock sent -> committed), median of {WINDOW_POSTS} POSTs: {window:.2f} ms: "
          f"statements {statements:.2f} ms, COMMIT {commit:.2f} ms, Python the rest; "
          f"from the lock's answer -> committed: {after_answer:.2f} ms")
    total, parts = cpu_by_part(adapter)
    print(f"CPU per POST by part, {PARTS_POSTS} POSTs without the profiler ({total:.2f} ms in all, client included):")
    for label, ms in parts:
        print(f"   {label:<52} {ms:.3f} ms")
    print(f"CPU per GET, {PAGE_GETS} GETs each after {PAGE_GETS // 20} to fill the cache (client included):")
    for label, ms in pages_cpu(adapter):
        print(f"   {label:<52} {ms:.3f} ms")


def pages_cpu(adapter):
    """CPU time per GET of the cached public pages (the open-cohorts list, a cohort page) in English
    and Khmer, against the bare Django view of bench/registration.py, in this process."""
    paths = [("bare Django view", "/bench/bare/"),
             *zip(("open cohorts", "a cohort page"), bench.public_page_paths(bench.COHORT_CODES[0]), strict=True)]
    result = []
    for language in ("en", "km"):
        adapter.cookies["django_language"] = language
        for label, path in paths:
            for _ in range(PAGE_GETS // 20):
                assert adapter.request("GET", path)[0] == 200
            started = time.process_time()
            for _ in range(PAGE_GETS):
                adapter.request("GET", path)
            result.append((f"{label} ({language})", (time.process_time() - started) * 1000 / PAGE_GETS))
    adapter.cookies.pop("django_language")
    return result


def cpu_by_part(adapter):
    """CPU time (time.process_time) per POST spent in each of the parts below, each timed around
    its call: a profiler's own cost distorts how calls weigh against each other, this does not.
    Indented parts are inside the service. (The middleware's methods are bound when the handler
    loads, before this could wrap them: CSRF and the others are in what the parts leave.)"""
    import collections

    from django.db.backends.utils import CursorWrapper

    from pilots import data_version, notifications
    from pilots.registration import forms, services, views

    parts = [
        (services, "register_teacher", "the service (register_teacher)"),
        (CursorWrapper, "execute", "  its SQL (cursor.execute, the waits' CPU included)"),
        (data_version, "replace", "  the commit's report-version bump (Redis)"),
        (notifications, "_enqueue", "  the email's task (django-tasks' enqueue)"),
        (forms.RegistrationForm, "__init__", "the form's construction"),
        (forms.RegistrationForm, "is_valid", "the form's validation"),
        (views, "is_ratelimited", "the rate limit (django-ratelimit, Redis)"),
        (views, "redirect", "the redirect"),
        (views, "make_registration_token", "the signed status link"),
    ]
    spent, originals = collections.Counter(), []

    def timed(real, label):
        def wrapper(*args, **kwargs):
            started = time.process_time()
            try:
                return real(*args, **kwargs)
            finally:
                spent[label] += time.process_time() - started
        return wrapper

    for owner, name, label in parts:
        originals.append((owner, name, getattr(owner, name)))
        setattr(owner, name, timed(getattr(owner, name), label))
    try:
        started = time.process_time()
        for i in range(PARTS_POSTS):
            assert bench.registration(adapter, 500000 + i) == 302
        total = time.process_time() - started
    finally:
        for owner, name, real in originals:
            setattr(owner, name, real)
    return total * 1000 / PARTS_POSTS, [(label, spent[label] * 1000 / PARTS_POSTS) for _, _, label in parts]


def lock_window(adapter, connection):
    """Median ms of the lock window, from the locking statement sent to the commit done, and from
    its answer to the commit done; and of the window's parts: the statements (their round trips,
    the lock's included), the COMMIT, Python in between."""
    import statistics

    from pilots.registration import services

    real_lock, real_commit = services.lock_cohort_counting_seats, connection.commit
    windows, parts, current = [], [], {}

    def timed_lock(*args, **kwargs):
        # From the locking statement sent: with one client it is granted at once, and the seat
        # count runs in the same round trip. Also from its answer (the lock granted and the seats
        # counted), as this script measured before the count joined the lock's round trip.
        current.update(sent=time.perf_counter(), statements=0.0, commit=0.0)
        connection.on_commit(window_done)
        locked = real_lock(*args, **kwargs)
        current["answered"] = time.perf_counter()
        return locked

    def window_done():
        done = time.perf_counter()
        windows.append((done - current.pop("sent"), done - current.pop("answered")))

    def timed_statement(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if "sent" in current:
                current["statements"] += time.perf_counter() - started

    def timed_commit():
        started = time.perf_counter()
        real_commit()
        if "sent" in current:
            current["commit"] = time.perf_counter() - started
            parts.append((current["statements"], current["commit"]))

    services.lock_cohort_counting_seats, connection.commit = timed_lock, timed_commit
    try:
        with connection.execute_wrapper(timed_statement):
            for i in range(WINDOW_POSTS):
                assert bench.registration(adapter, 300000 + i) == 302
    finally:
        services.lock_cohort_counting_seats = real_lock
        del connection.commit
    statements = statistics.median(s for s, _ in parts) * 1000
    commit = statistics.median(c for _, c in parts) * 1000
    window = statistics.median(sent for sent, _ in windows) * 1000
    after_answer = statistics.median(answered for _, answered in windows) * 1000
    return window, after_answer, statements, commit


if __name__ == "__main__":
    main()
