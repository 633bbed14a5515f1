"""Only the write path writes versions, audit events and index entries: a scan of the project's own source.

``cop_kb/records/services.py`` is the write path; what it delegates to may write too: ``audit.py`` (the audit trail's
one writer, which also records sign-ins), ``body_links.py`` (bodies rendered again, and reindexed, when a record
they name changes), ``index.py`` (the seam the search app's writers plug into) and the search app's own writers.
Anywhere else, such a call is a second path deciding what a change records or reindexes.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("cop_kb", "instruments", "strategy", "programmes")

WRITERS = {
    # django-reversion: a revision and what goes in it
    "create_revision",
    "add_to_revision",
    "set_comment",
    "set_user",
    # the audit trail
    "audit_record",
    "AuditEvent",
    # the index
    "index_update",
    "index_remove",
    "search_index_update",
    "search_index_remove",
}
ALLOWED = {
    "cop_kb/records/services.py",
    "cop_kb/records/audit.py",
    "cop_kb/records/body_links.py",
    "cop_kb/records/index.py",
    "cop_kb/search/services.py",
    "cop_kb/search/apps.py",
}


def _called_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        # AuditEvent.objects.create(...) names the model at the start of the chain.
        root = func
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id == "AuditEvent":
            return "AuditEvent"
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def writer_calls(path: Path, root: Path = ROOT) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        f"{path.relative_to(root)}:{node.lineno} {_called_name(node)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _called_name(node) in WRITERS
    ]


def project_sources() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts and str(path.relative_to(ROOT)) not in ALLOWED
    )


def test_nothing_outside_the_write_path_writes_versions_audit_events_or_index_entries():
    found = [call for path in project_sources() for call in writer_calls(path)]

    assert found == [], "write through cop_kb.records.services instead:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        "import reversion\nwith reversion.create_revision():\n    pass\n",
        "from cop_kb.records.models import AuditEvent\nAuditEvent.objects.create(action='publish')\n",
        "from cop_kb.records.index import index_update\nindex_update([])\n",
    ],
)
def test_the_scan_sees_a_direct_write(tmp_path, source):
    stray = tmp_path / "stray.py"
    stray.write_text(source, encoding="utf-8")

    assert len(writer_calls(stray, root=tmp_path)) == 1
