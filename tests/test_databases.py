"""The copies of the run's migrated database that server tests start from (``tests/databases.py``)."""

import importlib
import json
import os

import dj_database_url
import pytest
from django.db import connection

from .databases import copied, postgres_url, url_of
from .servers import python

DEFAULT_SYNONYMS = importlib.import_module("cop_kb.search.migrations.0003_default_synonyms").GROUPS
READ = (
    "import json; from instruments.models import Instrument; from cop_kb.search.models import Synonym; "
    "print(json.dumps([Instrument.objects.count(), list(Synonym.objects.values_list('terms', flat=True))]))"
)


def test_a_copy_is_the_database_as_the_migrations_left_it(migrated_database, tmp_path):
    """Every migration applied, the rows they write there (a test that commits empties every table, those rows
    included), and no record yet."""
    with copied(migrated_database, "check", tmp_path) as where:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cop_kb.settings.test", "DATABASE_URL": url_of(where)}
        unapplied = python("manage.py", "migrate", "--check", env=env)
        read = python("manage.py", "shell", "--verbosity=0", "-c", READ, env=env)

    assert unapplied.returncode == 0, unapplied.stdout + unapplied.stderr
    assert read.returncode == 0, read.stderr
    instruments, synonyms = json.loads(read.stdout)
    assert set(DEFAULT_SYNONYMS) <= set(synonyms)
    assert instruments == 0


@pytest.mark.database_independent
def test_an_account_with_url_characters_reads_back_as_itself(monkeypatch):
    """A server test hands its copy to a subprocess as DATABASE_URL: an ``@``, ``:`` or ``/`` in the account must not
    move the host or the database."""
    for key, value in {"USER": "us@er", "PASSWORD": "p:a/ss@w%rd", "HOST": "127.0.0.1", "PORT": 5432}.items():
        monkeypatch.setitem(connection.settings_dict, key, value)

    parsed = dj_database_url.parse(postgres_url("test_copy"))

    assert (parsed["USER"], parsed["PASSWORD"]) == ("us@er", "p:a/ss@w%rd")
    assert (parsed["HOST"], parsed["PORT"], parsed["NAME"]) == ("127.0.0.1", 5432, "test_copy")


@pytest.mark.database_independent
@pytest.mark.parametrize(
    ("host", "port"), [("::1", 5432), ("/var/run/postgresql", 5432), ("/var/run/postgresql", ""), ("db.local", "")]
)
def test_a_host_reads_back_as_itself(monkeypatch, host, port):
    """An IPv6 address or a socket directory as the host, and a server on its default port (none given)."""
    for key, value in {"USER": "user", "PASSWORD": "secret", "HOST": host, "PORT": port}.items():
        monkeypatch.setitem(connection.settings_dict, key, value)

    parsed = dj_database_url.parse(postgres_url("test_copy"))

    assert (parsed["HOST"], parsed["PORT"] or "", parsed["NAME"]) == (host, port, "test_copy")
