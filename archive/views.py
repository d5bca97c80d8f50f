"""The public site: reports, speakers, quotes, topics, search and citations.

Every object shown comes through the ``.public()`` querysets of
archive/models.py. Each page runs a fixed number of queries whatever the
data: related rows are fetched with ``select_related``/``prefetch_related``
and lists are paginated or capped.
"""

import re
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views.generic import DetailView, ListView, TemplateView

from . import citations, search
from .models import Organization, Quote, Report, Segment, Speaker, Topic

SLUG_RE = re.compile(r"[-\w]{1,200}")
REPORT_SUMMARY_RELATED = ("outlet", "correspondent")
CITE_FORMATS = [("txt", "Plain text"), ("json", "CSL-JSON"), ("bib", "BibTeX"), ("ris", "RIS")]


def canonical(request, obj_or_path):
    path = obj_or_path if isinstance(obj_or_path, str) else obj_or_path.get_absolute_url()
    return request.build_absolute_uri(path)


def withdrawn_response(request, slug):
    """410 with the notice when ``slug`` names a withdrawn report; None otherwise."""
    withdrawn = Report.objects.filter(slug=slug, status=Report.Status.WITHDRAWN).first()
    if withdrawn is None:
        return None
    return render(request, "archive/report_withdrawn.html", {"report": withdrawn}, status=410)


# --- report filters (list and search) ---------------------------------------------


@dataclass
class ReportFilters:
    """The list's and search's filters, read from GET; invalid values are ignored."""

    topic: str = ""
    outlet: str = ""
    speaker: str = ""
    year: int | None = None

    @classmethod
    def from_request(cls, request):
        def slug(name):
            # Slugs are letters, digits and hyphens: anything else (a NUL byte
            # that PostgreSQL refuses, markup) cannot name a topic, outlet or speaker.
            value = request.GET.get(name, "").strip()
            return value if SLUG_RE.fullmatch(value) else ""

        year = request.GET.get("year", "").strip()
        return cls(
            topic=slug("topic"),
            outlet=slug("outlet"),
            speaker=slug("speaker"),
            year=int(year) if year.isdigit() and 1900 <= int(year) <= 2999 else None,
        )

    def apply(self, reports):
        if self.topic:
            reports = reports.filter(topics__slug=self.topic)
        if self.outlet:
            reports = reports.filter(outlet__slug=self.outlet)
        if self.speaker:
            # The speaker's reports by their own indexes, then those reports by id:
            # testing each report in date order for the speaker walks the archive.
            speaker = Speaker.objects.filter(slug=self.speaker).values("pk")
            heard = Segment.objects.filter(speaker__in=speaker).order_by().values("report_id")
            filed = Report.objects.filter(correspondent__in=speaker).order_by().values("pk")
            reports = reports.filter(pk__in=heard.union(filed))
        if self.year:
            reports = reports.filter(published_at__year=self.year)
        return reports

    def as_params(self):
        params = {"topic": self.topic, "outlet": self.outlet, "speaker": self.speaker}
        params["year"] = self.year or ""
        return {name: value for name, value in params.items() if value}

    def __bool__(self):
        return bool(self.as_params())


def publication_span(reports):
    """(first, last) publication time of ``reports``: two index probes, one query."""
    first = reports.order_by("published_at").values("pk")[:1]
    last = reports.order_by("-published_at").values("pk")[:1]
    times = Report.objects.filter(Q(pk=Subquery(first)) | Q(pk=Subquery(last)))
    times = sorted(times.values_list("published_at", flat=True))
    return (times[0], times[-1]) if times else (None, None)


def filter_choices(filters):
    """Options for the filter form: four queries, each a few index probes."""
    public_reports = Report.objects.public()
    outlets = Organization.objects.outlets_of(public_reports)
    first, last = publication_span(public_reports)
    years = []
    if first and last:
        first, last = timezone.localtime(first).year, timezone.localtime(last).year
        years = list(range(last, first - 1, -1))
    speaker = None
    if filters.speaker:
        speaker = Speaker.objects.public().filter(slug=filters.speaker).first()
    return {
        "topics": Topic.objects.public(),
        "outlets": outlets,
        "years": years,
        "filter_speaker": speaker,
    }


class BoundedPaginator(Paginator):
    """Pages of a list, at most ``MAX_PAGES`` deep.

    Counting every public report, or skipping past hundreds of thousands of
    rows to a deep page (``OFFSET``), costs a scan that grows with the
    archive; counting at most ``MAX_PAGES`` pages' worth of rows, and serving
    no page deeper, costs the same at any size. Deeper reports are reached by
    the filters (year, outlet, topic, speaker), each of which starts its own
    50 pages. ``capped`` says there are more rows than the pages show.
    """

    MAX_PAGES = 50

    @cached_property
    def count(self):
        limit = self.MAX_PAGES * self.per_page
        counted = self.object_list.order_by()[: limit + 1].count()
        self.capped = counted > limit
        return min(counted, limit)

    capped = False


class PaginateGracefully:
    """Page 0, -1, 9999 or 'abc' gives the nearest real page, not an error."""

    paginator_class = BoundedPaginator

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()


class PublicReportMixin:
    """Every report a view shows comes through the one visibility rule."""

    def get_queryset(self):
        return Report.objects.public().select_related(*REPORT_SUMMARY_RELATED)


class CanonicalMixin:
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        target = getattr(self, "object", None) or self.request.path
        context["canonical_url"] = canonical(self.request, target)
        return context


# --- pages -------------------------------------------------------------------------


FEATURED_WINDOW = 200


def home_quotes(count):
    """Featured quotes, newest first; recent ones fill in when too few are featured.

    Two queries, each stopping after ``count`` rows. The featured ones start
    from the (featured, segment) index and check visibility per quote: editors
    feature a handful, so this stays fast with none or all of them public
    (``ORDER BY featured DESC`` over every public quote took 40 ms at 10,000).
    """
    recency = ("-segment__report__published_at", "segment__position", "pk")
    related = ("speaker", "segment__report")
    visible_segment = Segment.objects.public().filter(pk=OuterRef("segment_id"))
    # The newest FEATURED_WINDOW featured quotes by the featured index, then
    # ordered: ordering every quote by report date to find the featured ones
    # walked the archive (0.9 s at 100,000 reports on PostgreSQL).
    candidates = Quote.objects.filter(featured=True).order_by("-segment_id").values("pk")
    featured = list(
        Quote.objects.filter(Exists(visible_segment), pk__in=candidates[:FEATURED_WINDOW])
        .select_related(*related)
        .order_by(*recency)[:count]
    )
    recent = Quote.objects.public().filter(featured=False).select_related(*related)
    return (featured + list(recent.order_by(*recency)[:count]))[:count]


class HomeView(TemplateView):
    template_name = "archive/home.html"
    home_quotes = 5

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest_reports"] = Report.objects.public().select_related(*REPORT_SUMMARY_RELATED)[
            :10
        ]
        context["quotes"] = home_quotes(self.home_quotes)
        context["any_featured"] = any(quote.featured for quote in context["quotes"])
        context["topics"] = Topic.objects.public()
        context["canonical_url"] = canonical(self.request, reverse("archive:home"))
        return context


class ReportListView(PaginateGracefully, CanonicalMixin, PublicReportMixin, ListView):
    paginate_by = 20
    context_object_name = "reports"

    def get_queryset(self):
        self.filters = ReportFilters.from_request(self.request)
        return self.filters.apply(super().get_queryset())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(filter_choices(self.filters))
        context["filters"] = self.filters
        context["filter_query"] = urlencode(self.filters.as_params())
        return context


class ReportDetailView(CanonicalMixin, DetailView):
    context_object_name = "report"

    def get_queryset(self):
        segments = Segment.objects.select_related("speaker").prefetch_related("quotes")
        return (
            Report.objects.public()
            .select_related(*REPORT_SUMMARY_RELATED)
            .prefetch_related("topics", Prefetch("segments", queryset=segments))
        )

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            gone = withdrawn_response(request, kwargs["slug"])
            if gone is None:
                raise
            return gone

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["citation"] = citations.to_text(report_citation(self.request, self.object))
        context["cite_kind"] = "report"
        context["cite_formats"] = CITE_FORMATS
        return context


class SpeakerPaginator(BoundedPaginator):
    MAX_PAGES = 10  # counting a speaker probes their segments: 500 probes, not 2,500


class SpeakerListView(PaginateGracefully, CanonicalMixin, ListView):
    paginate_by = 50
    paginator_class = SpeakerPaginator
    context_object_name = "speakers"

    def get_queryset(self):
        return Speaker.objects.public().select_related("organization")


@dataclass
class Appearance:
    report: Report
    captions: list
    first_position: int


class SpeakerDetailView(CanonicalMixin, DetailView):
    context_object_name = "speaker"
    max_segments = 500

    def get_queryset(self):
        return Speaker.objects.public().select_related("organization")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        segments = (
            Segment.objects.public()
            .filter(speaker=self.object)
            .select_related("report__outlet")
            .order_by("-report__published_at", "-report_id", "position")[: self.max_segments]
        )
        appearances = {}
        for segment in segments:
            appearance = appearances.setdefault(
                segment.report_id, Appearance(segment.report, [], segment.position)
            )
            if segment.speaker_title and segment.speaker_title not in appearance.captions:
                appearance.captions.append(segment.speaker_title)
        context["appearances"] = list(appearances.values())
        context["reports_filed"] = (
            Report.objects.public().filter(correspondent=self.object).select_related("outlet")[:50]
        )
        context["quotes"] = (
            Quote.objects.public()
            .filter(speaker=self.object)
            .select_related("segment__report")
            .order_by("-segment__report__published_at", "segment__position", "pk")[:200]
        )
        context["reports_url"] = (
            reverse("archive:report_list") + "?" + urlencode({"speaker": self.object.slug})
        )
        return context


class QuoteListView(PaginateGracefully, CanonicalMixin, ListView):
    paginate_by = 30
    context_object_name = "quotes"

    def get_queryset(self):
        return (
            Quote.objects.public()
            .select_related("speaker", "segment__report")
            .order_by("-segment__report__published_at", "segment__position", "pk")
        )


class QuoteDetailView(CanonicalMixin, DetailView):
    context_object_name = "quote"

    def get_queryset(self):
        return Quote.objects.public().select_related(
            "speaker", "segment__speaker", "segment__report__outlet"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["citation"] = citations.to_text(quote_citation(self.request, self.object))
        context["cite_kind"] = "quote"
        context["cite_formats"] = CITE_FORMATS
        context["quote_as_list"] = [self.object]
        return context


class TopicDetailView(CanonicalMixin, DetailView):
    context_object_name = "topic"

    def get_queryset(self):
        return Topic.objects.public()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reports = (
            Report.objects.public()
            .filter(topics=self.object)
            .select_related(*REPORT_SUMMARY_RELATED)
        )
        page = BoundedPaginator(reports, 20).get_page(self.request.GET.get("page"))
        context.update(reports=page.object_list, page_obj=page, is_paginated=page.has_other_pages())
        return context


class SearchView(TemplateView):
    template_name = "archive/search.html"
    per_page = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "")
        filters = ReportFilters.from_request(self.request)
        page = self.request.GET.get("page", "")
        page = int(page) if page.isdigit() and 0 < int(page) <= 500 else 1
        reports = filters.apply(Report.objects.public())
        results, terms = search.search(query, reports, page=page, per_page=self.per_page)
        context.update(filter_choices(filters))
        params = {"q": query[: search.MAX_QUERY_CHARS], **filters.as_params()}
        context.update(
            query=query[: search.MAX_QUERY_CHARS],
            terms=terms,
            results=results,
            filters=filters,
            page_query=urlencode(params),
            canonical_url=canonical(self.request, reverse("archive:search")),
        )
        return context


# --- citations --------------------------------------------------------------------


def report_citation(request, report):
    return citations.Citation(
        key=f"report-{report.slug}",
        title=report.title,
        url=canonical(request, report),
        accessed=timezone.localdate(),
        authors=(report.correspondent.name,) if report.correspondent else (),
        publisher=report.outlet.name if report.outlet else "",
        place=report.dateline,
        issued=timezone.localtime(report.published_at).date() if report.published_at else None,
        duration=report.duration,
    )


def quote_citation(request, quote):
    report = quote.segment.report
    return citations.Citation(
        key=f"quote-{quote.pk}",
        title=report.title,
        url=canonical(request, quote),
        accessed=timezone.localdate(),
        authors=(quote.speaker.name,),
        publisher=report.outlet.name if report.outlet else "",
        place=report.dateline,
        issued=timezone.localtime(report.published_at).date() if report.published_at else None,
        quote=quote.text,
        speaker_title=quote.segment.speaker_title,
    )


def citation_response(citation, fmt, filename):
    if fmt not in citations.FORMATS:
        raise Http404("Unknown citation format")
    extension, content_type = citations.FORMATS[fmt]
    response = HttpResponse(citations.render(citation, fmt), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    return response


def report_cite(request, slug, fmt):
    try:
        report = get_object_or_404(
            Report.objects.public().select_related(*REPORT_SUMMARY_RELATED), slug=slug
        )
    except Http404:
        gone = withdrawn_response(request, slug)
        if gone is None:
            raise
        return gone
    # The slug may hold any Unicode letter; the header keeps to ASCII.
    filename = slug.encode("ascii", "ignore").decode() or "report"
    return citation_response(report_citation(request, report), fmt, filename)


def quote_cite(request, pk, fmt):
    quote = get_object_or_404(
        Quote.objects.public().select_related("speaker", "segment__report__outlet"), pk=pk
    )
    return citation_response(quote_citation(request, quote), fmt, f"quote-{quote.pk}")
