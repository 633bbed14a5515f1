"""Production settings, adjusted only as far as a local benchmark over plain HTTP needs.

* ``SECURE_SSL_REDIRECT`` is off (and HSTS with it): prod redirects every plain-HTTP request to https://, so wrk
  would measure 301s. Everything else (DEBUG off, middleware, templates, caching of the static manifest) is prod's.
* The API's anonymous throttle is lifted: every wrk request comes from one address, and 429s are not what is measured
  (the throttle's own bookkeeping still runs on every uncached API answer).
* ``BENCH_STATIC_ROOT`` points collectstatic and WhiteNoise at a scratch directory, so the benchmark never rewrites
  the project's ``staticfiles/``.
"""

import os
from pathlib import Path

from cop_kb.settings.prod import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = False
SECURE_HSTS_PRELOAD = False

if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])

REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1000000000/minute"}}  # noqa: F405
