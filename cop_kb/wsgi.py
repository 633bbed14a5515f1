"""WSGI entry point (gunicorn and friends)."""

import os

from django.core.wsgi import get_wsgi_application

# A server is production unless told otherwise: prod refuses to start without its secrets and never debugs.
# Only manage.py defaults to the development settings.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_kb.settings.prod")
application = get_wsgi_application()
