"""WSGI entry point (gunicorn and friends)."""

import os

from django.core.wsgi import get_wsgi_application

# A server is production unless told otherwise: prod refuses to start without its secrets and never debugs.
# Only manage.py defaults to the development settings.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_kb.settings.prod")
django_application = get_wsgi_application()

from cop_kb.page_cache import CachedPagesFirst  # noqa: E402 - needs the settings and apps loaded just above

# Repeated anonymous pages are answered before Django's request handling starts (cop_kb/page_cache.py).
application = CachedPagesFirst(django_application)
