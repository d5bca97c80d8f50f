"""The API's endpoints: read-only, over the ``.public()`` querysets, constant queries each."""

from django.db.models import Count, Prefetch, prefetch_related_objects
from django.utils.http import urlencode
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import search
from ..models import Organization, Quote, Report, Segment, Speaker, Topic, public_report_q
from . import serializers as s
from .filters import QuoteParams, ReportParams, SearchParams, SegmentParams, validated
from .http import ApiHeadersMixin

MAX_PAGE_SIZE = 200
MAX_APPEARANCES = 500


class ArchiveCursorPagination(CursorPagination):
    """Opaque cursors (DRF's: a position on the first ordering field, an offset for ties).

    Unlike page numbers, a cursor is not moved by rows added before it: following
    ``next`` never repeats or skips a row while reports are published.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


def paginated(ordering):
    return type("Pagination", (ArchiveCursorPagination,), {"ordering": ordering})


class PublicViewSet(ApiHeadersMixin, viewsets.ReadOnlyModelViewSet):
    params_class = None

    def filter_params(self):
        return validated(self.params_class, self.request) if self.params_class else None

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        self.note_modified(*self.modified_times([instance]))
        return Response(self.get_serializer(instance).data)

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            self.note_modified(*self.modified_times(page))
        return page

    def modified_times(self, objects):
        return []


def public_reports(params):
    reports = Report.objects.public()
    return params.report_filters().apply(reports) if params else reports


@extend_schema_view(list=extend_schema(parameters=[ReportParams]))
class ReportViewSet(PublicViewSet):
    """Public reports, newest first; a report's detail holds its ordered segments."""

    lookup_field = "slug"
    lookup_value_regex = r"[-\w]+"
    pagination_class = paginated(("-published_at", "-id"))
    params_class = ReportParams

    def get_queryset(self):
        if self.action == "retrieve":
            segments = Segment.objects.select_related("speaker").order_by("position")
            reports = Report.objects.public().prefetch_related(
                Prefetch("segments", queryset=segments)
            )
        else:
            reports = public_reports(self.filter_params())
        return reports.select_related("outlet", "correspondent", "programme").prefetch_related(
            "topics"
        )

    def get_serializer_class(self):
        return s.ReportDetailSerializer if self.action == "retrieve" else s.ReportSerializer

    def modified_times(self, objects):
        return [report.updated_at for report in objects]


def segment_filters(queryset, params, report_path):
    """Segments or quotes narrowed by the report filters, kind and report slug."""
    data = params.validated_data
    if params.report_filters():
        reports = params.report_filters().apply(Report.objects.public()).values("pk")
        queryset = queryset.filter(**{f"{report_path}__in": reports})
    kind_path = "kind" if report_path == "report" else "segment__kind"
    if "kind" in data:
        queryset = queryset.filter(**{kind_path: data["kind"]})
    if "report" in data:
        queryset = queryset.filter(**{f"{report_path}__slug": data["report"]})
    return queryset


@extend_schema_view(list=extend_schema(parameters=[SegmentParams]))
class SegmentViewSet(PublicViewSet):
    """Public segments in the order they were added; ``speaker`` and ``kind`` narrow them."""

    pagination_class = paginated(("id",))
    serializer_class = s.SegmentSerializer
    params_class = SegmentParams

    def get_queryset(self):
        segments = Segment.objects.public().select_related("report", "speaker")
        if self.action != "list":
            return segments
        params = self.filter_params()
        if "speaker" in params.validated_data:
            segments = segments.filter(speaker__slug=params.validated_data["speaker"])
        return segment_filters(segments, params, "report")

    def modified_times(self, objects):
        return [segment.report.updated_at for segment in objects]


class SpeakerViewSet(PublicViewSet):
    """People heard or credited in public reports; a detail lists every appearance's caption."""

    lookup_field = "slug"
    lookup_value_regex = r"[-\w]+"
    pagination_class = paginated(("slug",))

    def get_queryset(self):
        speakers = Speaker.objects.public().select_related("organization")
        if self.action == "retrieve":
            appearances = (
                Segment.objects.public()
                .select_related("report")
                .order_by("-report__published_at", "-report_id", "position")
            )
            # A slice in a Prefetch is one windowed query, not one per speaker.
            prefetch = Prefetch(
                "segments", queryset=appearances[:MAX_APPEARANCES], to_attr="public_appearances"
            )
            speakers = speakers.prefetch_related(prefetch)
        return speakers

    def get_serializer_class(self):
        return s.SpeakerDetailSerializer if self.action == "retrieve" else s.SpeakerSerializer


class OrganizationViewSet(PublicViewSet):
    """Outlets of public reports and organizations of public speakers."""

    lookup_field = "slug"
    lookup_value_regex = r"[-\w]+"
    pagination_class = paginated(("slug",))
    serializer_class = s.OrganizationSerializer

    def get_queryset(self):
        return Organization.objects.public()


class TopicViewSet(PublicViewSet):
    """Topics of public reports, with how many public reports each has."""

    lookup_field = "slug"
    lookup_value_regex = r"[-\w]+"
    pagination_class = paginated(("slug",))
    serializer_class = s.TopicCountSerializer

    def get_queryset(self):
        counted = Count("reports", filter=public_report_q("reports__"), distinct=True)
        return Topic.objects.public().annotate(report_count=counted)


@extend_schema_view(list=extend_schema(parameters=[QuoteParams]))
class QuoteViewSet(PublicViewSet):
    """Curated quotes of public reports, in the order they were added."""

    pagination_class = paginated(("id",))
    serializer_class = s.QuoteSerializer
    params_class = QuoteParams

    def get_queryset(self):
        quotes = Quote.objects.public().select_related("speaker", "segment__report")
        if self.action != "list":
            return quotes
        params = self.filter_params()
        data = params.validated_data
        if "speaker" in data:
            quotes = quotes.filter(speaker__slug=data["speaker"])
        if data.get("featured") is not None:
            quotes = quotes.filter(featured=data["featured"])
        return segment_filters(quotes, params, "segment__report")

    def modified_times(self, objects):
        return [quote.segment.report.updated_at for quote in objects]


class SearchView(ApiHeadersMixin, APIView):
    """Full-text search over transcripts, captions, titles and speakers' names."""

    @extend_schema(
        parameters=[SearchParams],
        responses=s.SearchResultsSerializer,
        operation_id="search",
    )
    def get(self, request):
        params = validated(SearchParams, request)
        data = params.validated_data
        reports = params.report_filters().apply(Report.objects.public())
        results, _ = search.search(
            data["q"],
            reports,
            page=data["page"],
            per_page=20,
            kind=data.get("kind", ""),
            sort=data["sort"],
        )
        prefetch_related_objects([hit.report for hit in results.hits], "topics")
        hits = [
            {
                "report": hit.report,
                "segment": hit.segment,
                "score": hit.score,
                "passage_url": request.build_absolute_uri(hit.url),
            }
            for hit in results.hits
        ]
        self.note_modified(*(hit.report.updated_at for hit in results.hits))
        query = {key: value for key, value in request.query_params.items() if key != "page"}

        def page_url(number):
            return request.build_absolute_uri("?" + urlencode({**query, "page": number}))

        body = {
            "count": results.total,
            "count_is_exact": results.total_is_exact,
            "people": s.SpeakerSerializer(
                results.people, many=True, context={"request": request}
            ).data,
            "results": s.SearchHitSerializer(hits, many=True, context={"request": request}).data,
            "next": page_url(results.page + 1) if results.has_next else None,
            "previous": page_url(results.page - 1) if results.has_previous else None,
        }
        return Response(body)
