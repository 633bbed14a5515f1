"""Local development: the defaults of base.py plus a throwaway secret so `make run` needs no set-up."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)
# Only ever used on a developer's machine; production settings refuse to start without a real one.
SECRET_KEY = SECRET_KEY or "dev-only-insecure-key-not-for-production"  # noqa: F405, S105
