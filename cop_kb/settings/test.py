"""Test settings: fast hashing, no static manifest needed, otherwise the same as production-like base."""

from .base import *  # noqa: F403

SECRET_KEY = "test-only-key"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# WhiteNoise looks static files up when they are asked for instead of listing STATIC_ROOT when its middleware
# starts: every test client starts the middleware afresh, and listing the collected files each time cost more CPU
# than anything else the suite does per test. The files served and their headers are the same either way.
WHITENOISE_AUTOREFRESH = True

# A test run sends hundreds of API requests a minute from one address; tests/api/test_api_http.py sets a low rate
# to see the throttle work.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1000000/minute"}}  # noqa: F405

# Tests build the whole-data downloads themselves (call_command("build_downloads")): a build process started by a
# request would read the project's database, not the test's.
DOWNLOADS_BUILD_ON_REQUEST = False
SITE_URL = "http://testserver"
