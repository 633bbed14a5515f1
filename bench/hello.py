"""The ceiling to compare pages against: one Django view returning "Hello, world", no middleware, no database.

Served exactly like the site (gunicorn, same workers and flags): ``gunicorn bench.hello:application``.
"""

from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-hello-not-secret",  # noqa: S106 - signs nothing; this app has no sessions or forms
        ALLOWED_HOSTS=["127.0.0.1"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
    )

from django.core.wsgi import get_wsgi_application  # noqa: E402 - settings must be configured first
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402


def hello(request):
    return HttpResponse("Hello, world")


urlpatterns = [path("", hello)]

application = get_wsgi_application()
