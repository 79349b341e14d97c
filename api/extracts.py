"""``/api/v1/extracts``: every delivery of the partners, and the rows each one rejected."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.generics import ListAPIView
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

from api.authentication import READ_AUTHENTICATION
from api.permissions import readable_partners
from api.serializers import (
    DEFAULT_PAGE,
    MAX_PAGE,
    ExtractSerializer,
    ExtractsQuery,
    PageQuery,
    RejectionSerializer,
)
from api.views import problems
from chain.models import Extract
from ingest.models import RejectedRow


def readable(extracts: QuerySet[Extract], request: Request) -> QuerySet[Extract]:
    """The deliveries among ``extracts`` that the caller may read."""
    partners = readable_partners(request)
    return extracts if partners is None else extracts.filter(organisation_id__in=partners)


class Pages(LimitOffsetPagination):
    default_limit = DEFAULT_PAGE
    max_limit = MAX_PAGE


@extend_schema_view(
    get=extend_schema(
        summary="Partner deliveries with their counts and status, newest first",
        description="Files, feed pages and pushes alike, in pages of `limit` rows. A partner "
        "analyst sees the deliveries of their own organisation only.",
        parameters=[ExtractsQuery],
        responses={200: ExtractSerializer(many=True), **problems(400)},
    )
)
class ExtractListView(ListAPIView):
    authentication_classes = READ_AUTHENTICATION
    queryset = Extract.objects.order_by("-received_at", "-pk")
    serializer_class = ExtractSerializer
    pagination_class = Pages

    def get_queryset(self) -> QuerySet[Extract]:
        query = ExtractsQuery(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        partner = query.validated_data.get("partner")
        extracts = readable(super().get_queryset(), self.request)
        return extracts.filter(organisation_id=partner) if partner else extracts


@extend_schema_view(
    get=extend_schema(
        summary="The rows a delivery rejected, with line, field and reason",
        description="In line order, in pages of `limit` rows; the excerpt masks person keys. "
        "A delivery the caller may not read is as unknown as one that does not exist: 404.",
        parameters=[PageQuery],
        responses={200: RejectionSerializer(many=True), **problems(400, 404)},
    )
)
class RejectionListView(ListAPIView):
    authentication_classes = READ_AUTHENTICATION
    queryset = RejectedRow.objects.order_by("line", "pk")
    serializer_class = RejectionSerializer
    pagination_class = Pages

    def get_queryset(self) -> QuerySet[RejectedRow]:
        PageQuery(data=self.request.query_params).is_valid(raise_exception=True)
        # Another organisation's delivery is as unknown as one that does not exist.
        extract = get_object_or_404(
            readable(Extract.objects.all(), self.request), pk=self.kwargs["pk"]
        )
        return super().get_queryset().filter(extract=extract)
