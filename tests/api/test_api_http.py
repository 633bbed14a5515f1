"""The API over HTTP as partners' programs meet it: CORS for browser apps, the anonymous throttle, the page cache's
ETag revalidation, and the one visibility rule (nothing unpublished in any list, detail, filter, count or link)."""

import json

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.test import override_settings

from cop_kb.records.models import Status
from cop_kb.records.pending import pending_change_save
from cop_kb.records.snapshots import snapshot_of
from instruments.models import Instrument, InstrumentRelation
from programmes.models import Programme
from strategy.models import StrategicArea

from ..factories import make, make_typed_link
from .test_api import detail_url, list_url

pytestmark = pytest.mark.django_db
HIDDEN = (Status.DRAFT, Status.IN_REVIEW, Status.WITHDRAWN)


def test_any_origin_may_read_without_credentials(client):
    response = client.get("/api/v1/", HTTP_ORIGIN="https://partner.example")

    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response


def test_a_preflight_allows_reading_only(client):
    response = client.options(
        "/api/v1/instruments/", HTTP_ORIGIN="https://partner.example", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert set(response["Access-Control-Allow-Methods"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}


def test_pages_outside_the_api_allow_no_other_origin(client):
    response = client.get("/instruments/", HTTP_ORIGIN="https://partner.example")

    assert "Access-Control-Allow-Origin" not in response


def test_a_cached_answer_carries_the_cors_header_too(client):
    client.get("/api/v1/")
    cached = client.get("/api/v1/", HTTP_ORIGIN="https://partner.example")

    assert cached["Access-Control-Allow-Origin"] == "*"


def anonymous_rate(rate: str) -> override_settings:
    return override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": rate}})


def test_too_many_requests_from_one_address_are_a_429_with_retry_after(client):
    caches["default"].clear()  # the throttle's counts
    with anonymous_rate("3/minute"):
        answers = [client.get(list_url(StrategicArea, f"page_size={n}")) for n in range(1, 6)]
        other_address = client.get(list_url(StrategicArea, "page_size=9"), REMOTE_ADDR="192.0.2.7")

    assert [answer.status_code for answer in answers] == [200, 200, 200, 429, 429]
    assert 0 < int(answers[3]["Retry-After"]) <= 60
    assert answers[3]["Content-Type"] == "application/json" and answers[3].json()["detail"]
    assert other_address.status_code == 200
    caches["default"].clear()


def test_an_unchanged_answer_revalidates_with_a_304_and_a_change_fails_it(client):
    area = make(StrategicArea)
    first = client.get(detail_url(area))

    again = client.get(detail_url(area), HTTP_IF_NONE_MATCH=first["ETag"])
    area.title = "Renamed area"
    area.save()
    after_change = client.get(detail_url(area), HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200 and first["ETag"] and first["Cache-Control"] == "no-cache"
    assert not first.cookies
    assert again.status_code == 304
    assert after_change.status_code == 200 and after_change.json()["title"] == "Renamed area"


def hidden_records() -> dict[str, Instrument]:
    """A hidden instrument in each state, each linked to and from a published one, tagged like it."""
    published = make(Instrument, tags=["Shared"])
    hidden = {}
    for status in HIDDEN:
        record = make(Instrument, status=status, tags=["Shared", f"only-{status}"])
        make_typed_link(InstrumentRelation, record, published, kind="supplements")
        make_typed_link(InstrumentRelation, published, record, kind="refers_to")
        programme = make(Programme)
        programme.instruments.add(record, published)
        hidden[status] = record
    return {"published": published, **hidden}


def test_hidden_records_appear_in_no_list_detail_filter_count_or_link(client):
    records = hidden_records()
    published = records.pop("published")
    answers = [
        client.get(list_url(Instrument, "page_size=100")),
        client.get(list_url(Instrument, "tag=shared")),
        client.get(list_url(Instrument, "q=Instrument")),
        client.get(detail_url(published)),
        client.get(list_url(Programme, "page_size=100")),
        client.get(list_url(Programme, f"instrument={published.slug}")),
    ]
    text = "".join(answer.content.decode() for answer in answers)

    assert all(answer.status_code == 200 for answer in answers)
    assert answers[0].json()["count"] == 1 and answers[1].json()["count"] == 1
    for status, record in records.items():
        assert record.slug not in text and record.title not in text, status
        assert client.get(detail_url(record)).status_code == 404
        assert client.get(list_url(Programme, f"instrument={record.slug}")).status_code == 400
        assert client.get(list_url(Instrument, f"tag=only-{status.replace('_', '-')}")).status_code == 400


def test_a_published_records_pending_changes_stay_out_of_the_api(client):
    area = make(StrategicArea, title="Published title")
    snapshot = snapshot_of(area)
    proposed = json.loads(snapshot.record)
    proposed[0]["fields"]["title"] = "Proposed title"
    snapshot.record = json.dumps(proposed)
    snapshot.aliases = [{"name": "Proposed alias", "kind": "alternative"}]
    editor = get_user_model().objects.create_user("editor", password="x")
    pending_change_save(record=area, snapshot=snapshot, user=editor)

    answers = [
        client.get(detail_url(area)),
        client.get(list_url(StrategicArea)),
        client.get(list_url(StrategicArea, "q=proposed")),
    ]

    assert answers[0].json()["title"] == "Published title"
    assert all("Proposed" not in answer.content.decode() for answer in answers)
