"""Settings of the API benchmark's server (bench/api.py): the project's own, with the URLs of
bench/api_urls.py (the project's plus one bare view)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.api_urls"
