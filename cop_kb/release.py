"""What identifies a release of the site: its code, and the settings that shape its answers."""

import functools
import hashlib
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import Promise

# Settings left out of ``release_id``: secrets (a digest of them would be public in every ETag), and where pages are
# read from and kept, which changes no answer.
SECRET_PARTS = ("SECRET", "PASSWORD", "TOKEN", "API_KEY")
NOT_IN_ANSWERS = {"DATABASES", "CACHES"}
# Settings that change which files ``code_id`` reads.
CODE_SETTINGS = {"BASE_DIR", "INSTALLED_APPS", "TEMPLATES", "STATICFILES_DIRS", "STATIC_ROOT"}


@functools.cache
def code_id() -> str:
    """A digest of the code, templates, static files and pinned dependencies of this deployment.

    Every app server running the same code computes the same id; new code has a new id, so nothing built by the old
    code is taken as current (the page cache's entries and ETags through ``release_id``, the whole-data downloads).
    """
    base = Path(settings.BASE_DIR)
    # The project's own apps; installed packages are named by requirements.lock (a venv may live inside BASE_DIR).
    roots = [
        Path(config.path)
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(base) and "site-packages" not in Path(config.path).parts
    ]
    roots += [Path(folder) for template in settings.TEMPLATES for folder in template.get("DIRS", [])]
    roots += [Path(folder) for folder in settings.STATICFILES_DIRS]
    files = {path for root in roots for path in root.rglob("*") if path.is_file() and "__pycache__" not in path.parts}
    pinned = (base / "requirements.lock", Path(settings.STATIC_ROOT) / "staticfiles.json")
    files |= {path for path in pinned if path.exists()}
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(str(path.relative_to(base) if path.is_relative_to(base) else path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@functools.cache
def release_id() -> str:
    """A digest of the code (``code_id``) and of the settings that shape answers: the hosts allowed, HTTPS and its
    redirect, the security and CORS headers, the site's name and address, and every other setting but secrets and
    connections (``SECRET_PARTS``, ``NOT_IN_ANSWERS``).

    The page cache names it in every key and ETag (``cop_kb.page_cache``). Its front repeats whole answers, headers
    included, and skips the host check and the redirect to HTTPS for an address answered before. A server restarted
    with a host no longer allowed, or with HTTPS now required, has another id, so it repeats nothing the old settings
    answered, even from a Redis it shares.
    """
    values = {
        name: getattr(settings, name)
        for name in dir(settings)
        if name.isupper() and name not in NOT_IN_ANSWERS and not any(part in name for part in SECRET_PARTS)
    }
    digest = hashlib.sha256(code_id().encode())
    digest.update(repr(_stable(values)).encode())
    return digest.hexdigest()[:12]


def _stable(value):
    """``value`` in a form whose ``repr`` is the same in every process: lazy text and paths as text, mappings and sets
    sorted, and any other object by its type's name (its default ``repr`` names an address in memory)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Promise | Path):
        return str(value)
    if isinstance(value, dict):
        return sorted((str(key), _stable(item)) for key, item in value.items())
    if isinstance(value, list | tuple):
        return [_stable(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted(repr(_stable(item)) for item in value)
    return f"<{type(value).__module__}.{type(value).__qualname__}>"


@receiver(setting_changed)
def _settings_changed(*, setting: str, **_kwargs) -> None:
    release_id.cache_clear()
    if setting in CODE_SETTINGS:
        code_id.cache_clear()
