"""WSGI entry point (gunicorn and friends)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cop_kb.settings.dev")
application = get_wsgi_application()
