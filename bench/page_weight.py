"""Page weight of the registration form as a phone receives it, with the production static storage.

    make bench-page-weight        (or: .venv/bin/python bench/page_weight.py)

What it does, all on 127.0.0.1 (port 8351 by default):
1. builds a throwaway production-like site: DEBUG off, a temporary SQLite database, `collectstatic`
   with WhiteNoise's CompressedManifestStaticFilesStorage (hashed names, .gz files);
2. creates one open cohort per language (Khmer, Thai, Vietnamese, and a regional one in English);
3. serves it with gunicorn (WhiteNoise serves the static files, compressed when asked);
4. opens each registration form in Debian's Chromium (Accept-Encoding: gzip, deflate, br, as sent by
   the browser) and adds up, for every response of the page load, the bytes that crossed the wire:
   body as transferred (compressed when the server compressed it) plus response headers, from
   Chromium's own accounting (Playwright's `request.sizes()`).

Django's HTML is not compressed by gunicorn; the script also reports the total with the HTML gzipped
(what a reverse proxy with gzip on, or GZipMiddleware, sends). The budget is 100 KB (102,400 bytes).
"""

import gzip
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("BENCH_PORT", "8351"))
BUDGET = 100 * 1024
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

SETUP = """
import datetime as dt
from django.utils import timezone
from pilots.choices import CohortKind, CohortStatus
from pilots.models import Cohort, Programme
today = timezone.localdate()
programme, _ = Programme.objects.get_or_create(
    name="Weight benchmark programme",
    defaults={"start_date": today, "end_date": today + dt.timedelta(days=400)},
)
rows = [("weight-km", "KH", "km", "វគ្គបណ្តុះបណ្តាលគ្រូ ភ្នំពេញ", CohortKind.NATIONAL),
        ("weight-th", "TH", "th", "การอบรมครู กรุงเทพมหานคร", CohortKind.NATIONAL),
        ("weight-vi", "VN", "vi", "Khóa tập huấn giáo viên Hà Nội", CohortKind.NATIONAL),
        ("weight-en", "", "en", "Regional train-the-trainer", CohortKind.REGIONAL)]
for code, country, language, name, kind in rows:
    start = today + dt.timedelta(days=60)
    Cohort.objects.update_or_create(code=code, defaults=dict(
        programme=programme, name=name, year=start.year, kind=kind, country=country, language=language,
        venue=name, start_date=start, end_date=start + dt.timedelta(days=2), capacity=30,
        status=CohortStatus.OPEN, registration_opens=timezone.now() - dt.timedelta(days=1),
        registration_closes=timezone.now() + dt.timedelta(days=30)))
"""


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="pilots-weight-"))
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "page-weight-benchmark-only",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "SQLITE_NAME": str(work / "weight.sqlite3"),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("DATABASE_URL", None)
    env.pop("PILOTS_TESTING", None)
    python = str(ROOT / ".venv" / "bin" / "python")
    manage = [python, str(ROOT / "manage.py")]
    run = lambda *cmd: subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True)  # noqa: E731
    static_root = ROOT / "staticfiles"
    had_static_root = static_root.exists()
    run(*manage, "collectstatic", "--noinput", "--clear")
    run(*manage, "migrate", "--noinput")
    run(*manage, "shell", "-c", SETUP)
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            "1",
            "--access-logfile",
            "-",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        return measure()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)
        shutil.rmtree(work, ignore_errors=True)
        if not had_static_root:  # WhiteNoise would otherwise serve these stale copies in development
            shutil.rmtree(static_root, ignore_errors=True)


def measure() -> int:
    from playwright.sync_api import sync_playwright

    failed = False
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        print(f"{'page':<10} {'resource':<46} {'encoding':<9} {'raw':>8} {'wire':>8}")
        for language in ("km", "th", "vi", "en"):
            context = browser.new_context(locale="en-GB")
            page = context.new_page()
            responses = []

            def record(response, responses=responses):
                responses.append(response)

            page.on("response", record)
            page.goto(f"http://127.0.0.1:{PORT}/cohorts/weight-{language}/register/")
            page.evaluate("document.fonts.ready")
            page.wait_for_load_state("networkidle")
            total = html_gzip_saving = 0
            for response in responses:
                body = response.body()
                sizes = response.request.sizes()
                wire = sizes["responseBodySize"] + sizes["responseHeadersSize"]
                total += wire
                encoding = response.headers.get("content-encoding", "-")
                name = response.url.split(f"127.0.0.1:{PORT}")[-1][:46]
                if response.headers.get("content-type", "").startswith("text/html") and encoding == "-":
                    html_gzip_saving = len(body) - len(gzip.compress(body, 6))
                print(f"{language:<10} {name:<46} {encoding:<9} {len(body):>8} {wire:>8}")
            verdict = "OK" if total <= BUDGET else "OVER BUDGET"
            failed |= total > BUDGET
            label = "TOTAL over the wire (HTML uncompressed)"
            print(f"{language:<10} {label:<46} {'':<9} {'':>8} {total:>8}  {total / 1024:.1f} KB  {verdict}")
            print(
                f"{language:<10} {'TOTAL with the HTML gzipped by a proxy':<46} {'':<9} {'':>8} "
                f"{total - html_gzip_saving:>8}  {(total - html_gzip_saving) / 1024:.1f} KB\n"
            )
            context.close()
        browser.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
