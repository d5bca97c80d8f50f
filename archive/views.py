"""The public site: reports, speakers, quotes, topics, search and citations.

Every object shown comes through the ``.public()`` querysets of
archive/models.py. Each page runs a fixed number of queries whatever the
data: related rows are fetched with ``select_related``/``prefetch_related``
and lists are paginated or capped.
"""

import re
from dataclasses import dataclass, replace
from datetime import date

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, Min, OuterRef, Prefetch, Q, Subquery
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.views.defaults import bad_request as default_bad_request
from django.views.defaults import page_not_found
from django.views.defaults import server_error as default_server_error
from django.views.generic import DetailView, ListView, TemplateView

from . import citations, search
from .broadcast import captions, linked_data, media
from .collation import SPEAKER_ORDER, name_key
from .exports import writer as exports_writer
from .identity import titles as identity_titles
from .models import (
    BroadcastDate,
    Organization,
    Quote,
    Report,
    Segment,
    Speaker,
    Topic,
    public_report_q,
)

SLUG_RE = re.compile(r"[-\w]{1,200}")
ISO_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
REPORT_SUMMARY_RELATED = ("outlet", "correspondent", "programme")
# Newest broadcast first: the air date where known, else the archive's publication
# day (served by the report_aired_order_idx index on the same expression).
BY_AIR_DATE = (BroadcastDate().desc(), "-pk")
CITE_FORMATS = [("txt", "Plain text"), ("json", "CSL-JSON"), ("bib", "BibTeX"), ("ris", "RIS")]


def canonical(request, obj_or_path):
    path = obj_or_path if isinstance(obj_or_path, str) else obj_or_path.get_absolute_url()
    return request.build_absolute_uri(path)


def withdrawn_response(request, slug=None, **report_lookup):
    """410 with the notice when the lookup names a report withdrawn after it was public; else None.

    ``slug`` names the report itself; other lookups reach it from a part of it
    (``segments__quotes__pk=7``): its quotes, segments, captions and citations
    are gone with it. A report that never was public is not gone: it answers 404.
    """
    if slug is not None:
        report_lookup["slug"] = slug
    withdrawn = Report.objects.gone().filter(**report_lookup).first()
    if withdrawn is None:
        return None
    return render(request, "archive/report_withdrawn.html", {"report": withdrawn}, status=410)


def public_or_gone(request, queryset, report_lookup, **lookup):
    """The public object, or the withdrawn report's 410, or 404."""
    try:
        return get_object_or_404(queryset, **lookup), None
    except Http404:
        gone = withdrawn_response(request, **report_lookup)
        if gone is None:
            raise
        return None, gone


def read_day(value):
    """A YYYY-MM-DD query value as a date; None when it is no such day."""
    value = value.strip()
    if not ISO_DAY_RE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


# --- report filters (list and search) ---------------------------------------------


@dataclass
class ReportFilters:
    """The list's and search's filters, read from GET; invalid values are ignored.

    Dates are air dates (the publication day where unknown), both ends included.
    """

    topic: str = ""
    outlet: str = ""
    programme: str = ""
    speaker: str = ""
    year: int | None = None
    aired_from: date | None = None
    aired_to: date | None = None

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
            programme=slug("programme"),
            speaker=slug("speaker"),
            year=int(year) if year.isdigit() and 1900 <= int(year) <= 2999 else None,
            # `from`/`to` on the pages; `date_from`/`date_to` as the API spells them.
            aired_from=read_day(request.GET.get("from") or request.GET.get("date_from", "")),
            aired_to=read_day(request.GET.get("to") or request.GET.get("date_to", "")),
        )

    def apply(self, reports):
        if self.topic:
            reports = reports.filter(topics__slug=self.topic)
        if self.outlet:
            reports = reports.filter(outlet__slug=self.outlet)
        if self.programme:
            reports = reports.filter(programme__slug=self.programme)
        if self.speaker:
            # The speaker's reports by their own indexes, then those reports by id:
            # testing each report in date order for the speaker walks the archive.
            speaker = Speaker.objects.filter(slug=self.speaker).values("pk")
            heard = Segment.objects.filter(speaker__in=speaker).order_by().values("report_id")
            filed = Report.objects.filter(correspondent__in=speaker).order_by().values("pk")
            reports = reports.filter(pk__in=heard.union(filed))
        # By the day it aired, or was published where the air date is unknown: ranges
        # on the indexed expression, never a year function that no index serves.
        first, last = self.aired_from, self.aired_to
        if self.year:
            first = max(first or date.min, date(self.year, 1, 1))
            last = min(last or date.max, date(self.year, 12, 31))
        if first or last:
            reports = reports.alias(broadcast_date=BroadcastDate())
        if first:
            reports = reports.filter(broadcast_date__gte=first)
        if last:
            reports = reports.filter(broadcast_date__lte=last)
        return reports

    def as_params(self):
        params = {"topic": self.topic, "outlet": self.outlet, "programme": self.programme}
        params["speaker"] = self.speaker
        params["year"] = self.year or ""
        params["from"] = self.aired_from.isoformat() if self.aired_from else ""
        params["to"] = self.aired_to.isoformat() if self.aired_to else ""
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
    span = public_reports.aggregate(first=Min(BroadcastDate()), last=Max(BroadcastDate()))
    years = []
    if span["first"] and span["last"]:
        years = list(range(span["last"].year, span["first"].year - 1, -1))
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
        return (
            Report.objects.public().select_related(*REPORT_SUMMARY_RELATED).order_by(*BY_AIR_DATE)
        )


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
        context["latest_reports"] = (
            Report.objects.public().select_related(*REPORT_SUMMARY_RELATED).order_by(*BY_AIR_DATE)
        )[:10]
        context["quotes"] = home_quotes(self.home_quotes)
        context["any_featured"] = any(quote.featured for quote in context["quotes"])
        context["topics"] = Topic.objects.public()
        context["canonical_url"] = canonical(self.request, reverse("archive:home"))
        return context


class FilterFormMixin:
    """A list with the filter form; ``get_queryset`` sets ``self.filters``."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(filter_choices(self.filters))
        context["filters"] = self.filters
        context["filter_query"] = urlencode(self.filters.as_params())
        return context


class ReportListView(
    FilterFormMixin, PaginateGracefully, CanonicalMixin, PublicReportMixin, ListView
):
    paginate_by = 20
    context_object_name = "reports"

    def get_queryset(self):
        self.filters = ReportFilters.from_request(self.request)
        return self.filters.apply(super().get_queryset())


class ReportDetailView(CanonicalMixin, DetailView):
    context_object_name = "report"

    def get_queryset(self):
        segments = Segment.objects.select_related("speaker").prefetch_related("quotes")
        return (
            Report.objects.public()
            .select_related(*REPORT_SUMMARY_RELATED)
            .prefetch_related("topics", "corrections", Prefetch("segments", queryset=segments))
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
        report = self.object
        context["citation"] = citations.to_text(report_citation(self.request, report))
        context["cite_kind"] = "report"
        context["cite_formats"] = CITE_FORMATS
        kind = playable(self.request, report)
        context["media_kind"] = kind
        context["linked_data"] = linked_data.report_graph(
            report,
            url=context["canonical_url"],
            segments=report.segments.all(),
            media_kind=kind,
            author_url=canonical(self.request, report.correspondent)
            if report.correspondent
            else "",
        )
        authors = [report.correspondent.name] if report.correspondent else []
        context["meta_tags"] = linked_data.citation_meta(
            report, url=context["canonical_url"], authors=authors, media_kind=kind
        )
        return context


def playable(request, report):
    """ "audio"/"video" when the page can play the report's recording itself."""
    return media.media_kind(report.media_url, site_host=request.get_host())


class SpeakerPaginator(BoundedPaginator):
    MAX_PAGES = 10  # counting a speaker probes their segments: 500 probes, not 2,500


class SpeakerListView(PaginateGracefully, CanonicalMixin, ListView):
    paginate_by = 50
    paginator_class = SpeakerPaginator
    context_object_name = "speakers"

    def get_queryset(self):
        return Speaker.objects.public().select_related("organization").order_by(*SPEAKER_ORDER)


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
            .select_related("report__outlet", "report__programme")
            .order_by(BroadcastDate("report__").desc(), "-report_id", "position")[
                : self.max_segments
            ]
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
            Report.objects.public()
            .filter(correspondent=self.object)
            .select_related("outlet", "programme")
            .order_by(*BY_AIR_DATE)[:50]
        )
        context["quotes"] = (
            Quote.objects.public()
            .filter(speaker=self.object)
            .select_related("segment__report")
            .order_by(BroadcastDate("segment__report__").desc(), "segment__position", "pk")[:200]
        )
        context["titles"] = identity_titles.titles_over_time(self.object)
        context["linked_data"] = linked_data.speaker_graph(
            self.object, url=context["canonical_url"]
        )
        context["meta_tags"] = [("DC.title", self.object.name), ("DC.type", "Text")]
        context["reports_url"] = (
            reverse("archive:report_list") + "?" + urlencode({"speaker": self.object.slug})
        )
        return context


class QuoteListView(FilterFormMixin, PaginateGracefully, CanonicalMixin, ListView):
    """Quotes, newest report first; ``?speaker=`` is who said it, the rest filter the report."""

    paginate_by = 30
    context_object_name = "quotes"

    def get_queryset(self):
        self.filters = ReportFilters.from_request(self.request)
        quotes = Quote.objects.public()
        if self.filters.speaker:
            quotes = quotes.filter(speaker__slug=self.filters.speaker)
        report_filters = replace(self.filters, speaker="")
        if report_filters:
            reports = report_filters.apply(Report.objects.public()).values("pk")
            quotes = quotes.filter(segment__report__in=reports)
        return quotes.select_related("speaker", "segment__report").order_by(
            BroadcastDate("segment__report__").desc(), "segment__position", "pk"
        )


class QuoteDetailView(CanonicalMixin, DetailView):
    context_object_name = "quote"

    def get_queryset(self):
        return (
            Quote.objects.public()
            .select_related(*QUOTE_RELATED)
            .prefetch_related("segment__report__corrections")
        )

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            gone = withdrawn_response(request, segments__quotes__pk=kwargs["pk"])
            if gone is None:
                raise
            return gone

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        quote = self.object
        report = quote.segment.report
        context["citation"] = citations.to_text(quote_citation(self.request, quote))
        context["cite_kind"] = "quote"
        context["cite_formats"] = CITE_FORMATS
        context["quote_as_list"] = [quote]
        kind = playable(self.request, report)
        if kind and quote.segment.start_seconds is not None:
            context["media_at"] = media.at_time(report.media_url, quote.segment.start_seconds)
        context["linked_data"] = linked_data.quote_graph(
            quote,
            url=context["canonical_url"],
            report_url=canonical(self.request, report),
            speaker_url=canonical(self.request, quote.speaker),
        )
        context["meta_tags"] = linked_data.citation_meta(
            report,
            url=context["canonical_url"],
            title=f"{quote.speaker.name} in “{report.title}”",
            authors=[quote.speaker.name],
            media_kind=kind,
        )
        return context


QUOTE_RELATED = ("speaker", "segment__speaker", "segment__report__outlet")
QUOTE_RELATED += ("segment__report__programme",)


class TopicListView(CanonicalMixin, ListView):
    """Every public topic with its number of public reports, in one query, in reading order."""

    context_object_name = "topics"
    template_name = "archive/topic_list.html"

    def get_queryset(self):
        counted = Count("reports", filter=public_report_q("reports__"), distinct=True)
        topics = Topic.objects.public().annotate(report_count=counted)
        return sorted(topics, key=lambda topic: name_key(topic.name))


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
            .order_by(*BY_AIR_DATE)
        )
        page = BoundedPaginator(reports, 20).get_page(self.request.GET.get("page"))
        context.update(reports=page.object_list, page_obj=page, is_paginated=page.has_other_pages())
        return context


SEARCH_SORTS = [("relevance", "Relevance"), ("date", "Newest first")]


class SearchView(TemplateView):
    """Passages and titles; people whose name matches are listed first, with their pages."""

    template_name = "archive/search.html"
    per_page = 20

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "")
        filters = ReportFilters.from_request(self.request)
        page = self.request.GET.get("page", "")
        page = int(page) if page.isdigit() and 0 < int(page) <= 500 else 1
        kind = self.request.GET.get("kind", "")
        kind = kind if kind in Segment.Kind.values else ""
        sort = self.request.GET.get("sort", "")
        sort = sort if sort in search.SORTS else "relevance"
        reports = filters.apply(Report.objects.public())
        results, terms = search.search(
            query, reports, page=page, per_page=self.per_page, kind=kind, sort=sort
        )
        context.update(filter_choices(filters))
        params = {"q": query[: search.MAX_QUERY_CHARS], **filters.as_params()}
        params.update({name: value for name, value in (("kind", kind), ("sort", sort)) if value})
        context.update(
            query=query[: search.MAX_QUERY_CHARS],
            terms=terms,
            results=results,
            filters=filters,
            kind=kind,
            sort=sort,
            kinds=Segment.Kind.choices,
            sorts=SEARCH_SORTS,
            page_query=urlencode(params),
            canonical_url=canonical(self.request, reverse("archive:search")),
        )
        return context


# --- citations --------------------------------------------------------------------


def _provenance(request, report):
    """The citation fields every citation of ``report`` shares."""
    return {
        "publisher": report.outlet.name if report.outlet else "",
        "programme": report.programme.name if report.programme else "",
        "place": report.dateline,
        "aired": report.aired_at,
        "published": report.cited_date[0] if not report.aired_on else None,
        "language": report.language,
        "corrected": tuple(correction.corrected_on for correction in report.corrections.all()),
        "accessed": timezone.localdate(),
    }


def report_citation(request, report):
    return citations.Citation(
        key=f"report-{report.slug}",
        title=report.title,
        url=canonical(request, report),
        authors=(report.correspondent.name,) if report.correspondent else (),
        duration=report.duration,
        **_provenance(request, report),
    )


def quote_citation(request, quote):
    segment = quote.segment
    report = segment.report
    recording = ""
    if report.media_url:
        recording = report.media_url
        if segment.start_seconds is not None:
            recording = media.at_time(report.media_url, segment.start_seconds)
    return citations.Citation(
        key=f"quote-{quote.pk}",
        title=report.title,
        url=canonical(request, quote),
        authors=(quote.speaker.name,),
        quote=quote.text,
        speaker_title=segment.speaker_title,
        offset_seconds=segment.start_seconds,
        recording_url=recording,
        **_provenance(request, report),
    )


def citation_response(citation, fmt, filename):
    if fmt not in citations.FORMATS:
        raise Http404("Unknown citation format")
    extension, content_type = citations.FORMATS[fmt]
    response = HttpResponse(citations.render(citation, fmt), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{extension}"'
    return response


def report_cite(request, slug, fmt):
    reports = Report.objects.public().select_related(*REPORT_SUMMARY_RELATED)
    report, gone = public_or_gone(
        request, reports.prefetch_related("corrections"), {"slug": slug}, slug=slug
    )
    if gone:
        return gone
    # The slug may hold any Unicode letter; the header keeps to ASCII.
    filename = slug.encode("ascii", "ignore").decode() or "report"
    return citation_response(report_citation(request, report), fmt, filename)


def quote_cite(request, pk, fmt):
    quotes = Quote.objects.public().select_related(*QUOTE_RELATED)
    quote, gone = public_or_gone(
        request,
        quotes.prefetch_related("segment__report__corrections"),
        {"segments__quotes__pk": pk},
        pk=pk,
    )
    if gone:
        return gone
    return citation_response(quote_citation(request, quote), fmt, f"quote-{quote.pk}")


def report_captions(request, slug):
    """/reports/<slug>/captions.vtt: the timed segments as WebVTT cues."""
    segments = Segment.objects.select_related("speaker").order_by("position")
    reports = Report.objects.public().prefetch_related(Prefetch("segments", queryset=segments))
    report, gone = public_or_gone(request, reports, {"slug": slug}, slug=slug)
    if gone:
        return gone
    body = captions.to_webvtt(report.segments.all(), duration=report.duration)
    return HttpResponse(body, content_type="text/vtt; charset=utf-8")


def segment_detail(request, slug, position):
    """A segment's permanent link: its place in the report's page."""
    segment, gone = public_or_gone(
        request,
        Segment.objects.public().select_related("report"),
        {"slug": slug},
        report__slug=slug,
        position=position,
    )
    if gone:
        return gone
    return HttpResponseRedirect(segment.get_absolute_url())


# --- open data, robots, favicon ------------------------------------------------------


def dataset_snapshot():
    """The latest export_dataset package, or None when none was written or it is stale.

    Stale: a report it may hold has since stopped being public (withdrawn,
    unpublished); the files would show what the site no longer does.
    """
    package = exports_writer.read_package(settings.DATASET_DIR)
    if package is None:
        return None
    created = parse_datetime(package.get("created", ""))
    if created is None:
        return None
    changed = Report.objects.filter(updated_at__gt=created).exclude(public_report_q())
    return None if changed.exists() else package


def data_page(request):
    package = dataset_snapshot()
    context = {
        "package": package,
        "created": parse_datetime(package["created"]) if package else None,
        "canonical_url": canonical(request, reverse("archive:data")),
    }
    return render(request, "archive/data.html", context)


def data_file(request, name):
    package = dataset_snapshot()
    files = {resource["path"]: resource for resource in (package or {}).get("resources", [])}
    if name == exports_writer.PACKAGE and package:
        files[name] = {"mediatype": "application/json"}
    if name not in files:
        raise Http404("No such file in the data package.")
    response = FileResponse(
        open(settings.DATASET_DIR / name, "rb"),  # noqa: SIM115 (FileResponse closes it)
        content_type=f"{files[name]['mediatype']}; charset=utf-8",
    )
    if name != exports_writer.PACKAGE:
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def robots_txt(request):
    lines = [
        "User-agent: *",
        # The admin and its report previews, and the API (the data package is the bulk route).
        "Disallow: /admin/",
        "Disallow: /api/",
        "Disallow: /search/",
        f"Sitemap: {canonical(request, reverse('archive:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def favicon(request):
    # Not permanent: the static file's name carries a content hash in production.
    return redirect(static("archive/favicon.svg"))


# --- errors ------------------------------------------------------------------------


def _is_api(request):
    return request.path.startswith("/api/")


def not_found(request, exception):
    if _is_api(request):
        from .api.http import problem_response

        return problem_response(404, "No such resource.")
    return page_not_found(request, exception)


def bad_request(request, exception):
    if _is_api(request):
        from .api.http import problem_response

        return problem_response(400, str(exception) or "Bad request.")
    return default_bad_request(request, exception)


def server_error(request):
    if _is_api(request):
        from .api.http import problem_response

        return problem_response(500, "The server could not answer this request.")
    return default_server_error(request)
