"""Production settings pass Django's deployment checks; a missing SECRET_KEY stops start-up."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, **env):
    unset = {"DEBUG", "PILOTS_TESTING", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-0123456789",
        ALLOWED_HOSTS="pilots.example.org",
        REDIS_URL="redis://127.0.0.1:6379/0",  # production shares its rate-limit cache (pilots.W001)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_missing_secret_key_with_debug_off_stops_with_a_clear_message():
    result = _manage("check")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def _settings_in_a_fresh_process(**env):
    """DEBUG and whether pytest was loaded, as `config.settings` sees them in a new interpreter."""
    unset = {"DEBUG", "PILOTS_TESTING", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL",
             "DJANGO_SETTINGS_MODULE"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    code = (
        "import sys; from django.conf import settings; "
        "print(repr(settings.DEBUG), repr(settings.TESTING), 'pytest' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings",
             "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-0123456789", **env},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    debug, testing, pytest_loaded = result.stdout.split()
    assert (testing, pytest_loaded) == ("False", "False"), "the subprocess must not look like a test run"
    return debug


def test_debug_defaults_to_off():
    assert _settings_in_a_fresh_process() == "False"


@pytest.mark.parametrize(("value", "debug"), [("", "False"), ("false", "False"), ("0", "False"),
                                              ("true", "True"), ("1", "True"), ("on", "True")])
def test_development_turns_debug_on_explicitly(value, debug):
    assert _settings_in_a_fresh_process(DEBUG=value) == debug


def test_check_deploy_warns_when_rate_limits_are_not_shared_between_processes():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        SECRET_KEY="x" * 20 + "a-long-random-production-secret-key-0123456789",
        ALLOWED_HOSTS="pilots.example.org",
    )
    assert result.returncode != 0
    assert "pilots.W001" in result.stdout + result.stderr
