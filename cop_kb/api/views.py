"""The API's views: a root listing the record types, and a list and a detail view per type made from the registry
(how they answer, throttle and report errors: ``policy``)."""

import functools

from django.http import JsonResponse, QueryDict
from django.views.decorators.csrf import csrf_exempt
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import APIView

from cop_kb.records.link_pages import relation_records
from cop_kb.records.registry import RecordType, record_type_by_slug, record_types
from cop_kb.search.selectors import FACETS, PageNotFound, search

from .filters import filterset_for
from .pagination import RecordPages
from .serializers import DETAIL_LINKS, LIST_LINKS, TargetSerializer, api_url, record_serializer, target_of

MAX_PARAM_LENGTH = 200
# jQuery's ``cache: false`` (and other clients) add ``_=<timestamp>`` so that no cache answers; it means nothing
# here, so it is accepted and ignored everywhere rather than refused as an unknown parameter.
CACHE_BUSTER = "_"
# Filters the site's search narrows by too: they may be combined with ``q``; the others may not.
SEARCH_FILTERS = {param for param, _label in FACETS} - {"type", "year"}


class Error(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in words.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="For a bad query: each parameter at fault, with what is wrong with it.",
    )


ERRORS = {400: Error, 404: Error, 429: Error}


# The API takes no writes and sets no cookie, so there is no CSRF token to check: any method gets the JSON answer
# (a 405 from DRF, or this 404), never the site's HTML 403.
@csrf_exempt
def not_found(request, *args, **kwargs):
    """Any address under /api/ that names no endpoint (an unknown record type, a slug that is not a slug)."""
    return JsonResponse({"detail": "There is no such API address; see /api/v1/ for the record types."}, status=404)


def check_params(request, allowed) -> None:
    """Refuse parameters the endpoint does not take (but the cache-buster ``_``) and values no record could have."""
    errors = {}
    for name, values in request.query_params.lists():
        if name not in allowed and name != CACHE_BUSTER:
            errors[name] = [f"Unknown parameter. This endpoint takes: {', '.join(sorted(allowed)) or 'none'}."]
        elif any("\x00" in value or len(value) > MAX_PARAM_LENGTH for value in values):
            errors[name] = [f"Values are at most {MAX_PARAM_LENGTH} characters, without NUL."]
    if errors:
        raise ValidationError(errors)


class RecordList(generics.ListAPIView):
    """Published records of one type, filtered, sorted and paged; with ``q``, ranked by the site's search."""

    record_type: RecordType = None
    filterset_class = None
    pagination_class = RecordPages
    filter_backends = [DjangoFilterBackend]

    def get_serializer_class(self):
        return record_serializer(self.record_type.model)

    def get_queryset(self):
        model = self.record_type.model
        # Links to many records are read per page, bounded (``RecordListSerializer``), not prefetched unbounded.
        records = model.objects.for_detail().order_by("title", "pk")
        if model.year_expression is not None:
            records = records.annotate(list_year=model.year_expression)
        return records

    def list(self, request, *args, **kwargs):
        params = request.query_params
        check_params(request, {*self.filterset_class.base_filters, "q", "page", "page_size"})
        if "q" not in params:
            return super().list(request, *args, **kwargs)
        mixed = sorted(name for name in params if name not in {*SEARCH_FILTERS, "q", "page", "page_size", CACHE_BUSTER})
        if mixed:
            raise ValidationError({name: ["Cannot be combined with q (search results are ranked)."] for name in mixed})
        self.filter_queryset(self.get_queryset())  # checks the filter values: an unknown one is a 400 here too
        return self.searched(request)

    def searched(self, request):
        """The site's search (the same selector as the search page) narrowed to this type, one page of records."""
        per_page = self.paginator.get_page_size(request)
        query = QueryDict(mutable=True)
        ignored = ("page_size", CACHE_BUSTER)
        query.update({name: value for name, value in request.query_params.items() if name not in ignored})
        query["type"] = self.record_type.label
        try:
            # Only the results: the API's q lists exactly what the search page counts.
            found = search(query, per_page=per_page, near_misses=False)
        except PageNotFound as error:
            raise NotFound("There is no such page of results.") from error
        slugs = [hit.slug for hit in found.hits]
        records = self.get_queryset().in_bulk(slugs, field_name="slug")
        page = [records[slug] for slug in slugs if slug in records]
        address = request.build_absolute_uri()
        has_more = found.page < found.num_pages and found.total > 0
        return Response(
            {
                "count": found.total,
                "next": replace_query_param(address, "page", found.page + 1) if has_more else None,
                "previous": _previous(address, found.page),
                "results": self.get_serializer(page, many=True).data,
            }
        )


def _previous(address: str, page: int) -> str | None:
    if page <= 1:
        return None
    return remove_query_param(address, "page") if page == 2 else replace_query_param(address, "page", page - 1)


class RecordDetail(generics.RetrieveAPIView):
    """One published record with its fields, aliases, tags, sources and links both ways (each relation's first
    ``DETAIL_LINKS``, with how many there are and where to read them all)."""

    record_type: RecordType = None
    lookup_field = "slug"

    def get_serializer_class(self):
        return record_serializer(self.record_type.model)

    def get_queryset(self):
        return self.record_type.model.objects.for_detail()

    def retrieve(self, request, *args, **kwargs):
        check_params(request, set())
        return super().retrieve(request, *args, **kwargs)


@functools.cache
def list_view(record_type: RecordType):
    """The list endpoint of one record type, with its filters and its schema."""
    model = record_type.model
    view = type(
        f"{model.__name__}List",
        (RecordList,),
        {"record_type": record_type, "filterset_class": filterset_for(model), "__module__": __name__},
    )
    schema = extend_schema(
        summary=f"{record_type.plural}: published records",
        description=_LIST_DESCRIPTION,
        responses={200: record_serializer(model)(many=True), **ERRORS},
    )
    return schema(view).as_view()


@functools.cache
def detail_view(record_type: RecordType):
    model = record_type.model
    view = type(f"{model.__name__}Detail", (RecordDetail,), {"record_type": record_type, "__module__": __name__})
    schema = extend_schema(
        summary=f"{record_type.name}: one published record, by its slug",
        responses={200: record_serializer(model), **ERRORS},
    )
    return schema(view).as_view()


@csrf_exempt
def record_list(request, type_slug: str):
    """The list endpoint of the record type named ``type_slug``; URL patterns cannot be made per type, since a type's
    name comes from its list page's address, which is not known while URL patterns are being loaded."""
    entry = record_type_by_slug(type_slug)
    return list_view(entry)(request) if entry else not_found(request)


@csrf_exempt
def record_detail(request, type_slug: str, slug: str):
    entry = record_type_by_slug(type_slug)
    return detail_view(entry)(request, slug=slug) if entry else not_found(request)


class RelationLinks(generics.GenericAPIView):
    """Every public record one relation of a record leads to (a detail's ``link_groups[].links_url``)."""

    pagination_class = RecordPages
    serializer_class = TargetSerializer

    @extend_schema(
        summary="Every record one relation of a record links, a page at a time",
        description=(
            "The address is a detail's `link_groups[].links_url`: `relation` names the relation as the record's own "
            "link pages do, and `kind` the kind of a typed link. Records in title order."
        ),
        parameters=[OpenApiParameter("kind", str, description="The kind of a typed link (required for those).")],
        responses={200: TargetSerializer(many=True), **ERRORS},
    )
    def get(self, request, type_slug: str, slug: str, relation: str):
        check_params(request, {"kind", "page", "page_size"})
        entry = record_type_by_slug(type_slug)
        record = entry and entry.model.objects.public().filter(slug=slug).first()
        if record is None:
            raise NotFound("There is no such published record.")
        try:
            found = relation_records(record, relation, request.query_params.get("kind", ""))
        except LookupError as error:
            raise NotFound("This record has no such relation (or kind); see its link_groups.") from error
        page = self.paginate_queryset(found.records.only("pk", "slug", "title"))
        return self.get_paginated_response([target_of(request, target) for target in page])


_LIST_DESCRIPTION = (
    f"Each record lists at most {LIST_LINKS} links per relation (a detail: {DETAIL_LINKS}); its `link_groups` give "
    "each relation's count of links and `links_url`, where they all are. "
    "Filters take slugs or stored values, as the site's list pages do; a value that names nothing is a 400. "
    "`q` searches as the site's search page does and returns its ranking; it combines only with "
    f"{', '.join(sorted(SEARCH_FILTERS))}, `page` and `page_size`."
)


class Root(APIView):
    """The record types the API serves, with the address of each list, the schema and the docs."""

    @extend_schema(
        summary="Record types and where to find them",
        responses={
            200: inline_serializer(
                "Root",
                {
                    "types": inline_serializer(
                        "RecordTypeEntry",
                        {
                            "type": serializers.CharField(),
                            "name": serializers.CharField(),
                            "plural": serializers.CharField(),
                            "api_url": serializers.URLField(),
                            "url": serializers.URLField(),
                        },
                        many=True,
                    ),
                    "schema": serializers.URLField(),
                    "docs": serializers.URLField(),
                },
            ),
            **ERRORS,
        },
    )
    def get(self, request):
        check_params(request, set())
        types = [
            {
                "type": entry.slug,
                "name": entry.name,
                "plural": entry.plural,
                "api_url": api_url(request, entry),
                "url": request.build_absolute_uri(entry.list_url()),
            }
            for entry in record_types()
        ]
        absolute = request.build_absolute_uri
        return Response({"types": types, "schema": absolute("schema/"), "docs": absolute("docs/")})
