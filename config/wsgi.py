import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# What starting made (modules, settings, URL patterns, translations) lives as long as the process:
# frozen out of the garbage collector's sight, a full collection no longer walks it on every page
# (at national scale those walks, 120-250 ms each, were the cohort report's slowest requests).
gc.freeze()
