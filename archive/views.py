"""The public site: reports, speakers, quotes, topics, search and citations.

Every object shown comes through the ``.public()`` querysets of
archive/models.py. Each page runs a fixed number of queries whatever the
data: related rows are fetched with ``select_related``/``prefetch_related``
and lists are paginated or capped.
"""

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, Min, OuterRef, Prefetch, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.views.defaults import page_not_found
from django.views.defaults import server_error as default_server_error
from django.views.generic import DetailView, ListView, TemplateView

from . import citations, search
from .collation import SPEAKER_ORDER, name_key
from .exports import writer as exports_writer
from .models import Organization, Quote, Report, Segment, Speaker, Topic, public_report_q

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


def parse_date(value):
    """An ISO date (``2018-06-07``) or None: a bad value is ignored, like every filter."""
    try:
        return date.fromisoformat(value.strip()) if value and len(value) <= 10 else None
    except ValueError:
        return None


def day_start(day):
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass
class ReportFilters:
    """The list's and search's filters, read from GET; invalid values are ignored.

    Dates are publication dates in the site's time zone, both ends included.
    """

    topic: str = ""
    outlet: str = ""
    speaker: str = ""
    year: int | None = None
    date_from: date | None = None
    date_to: date | None = None

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
            date_from=parse_date(request.GET.get("date_from", "")),
            date_to=parse_date(request.GET.get("date_to", "")),
        )

    def apply(self, reports):
        if self.topic:
            reports = reports.filter(topics__slug=self.topic)
        if self.outlet:
            reports = reports.filter(outlet__slug=self.outlet)
        if self.speaker:
            heard = Segment.objects.filter(report=OuterRef("pk"), speaker__slug=self.speaker)
            reports = reports.filter(Exists(heard) | Q(correspondent__slug=self.speaker))
        if self.year:
            reports = reports.filter(published_at__year=self.year)
        if self.date_from:
            reports = reports.filter(published_at__gte=day_start(self.date_from))
        if self.date_to and self.date_to < date.max:
            reports = reports.filter(published_at__lt=day_start(self.date_to + timedelta(days=1)))
        return reports

    def as_params(self):
        params = {"topic": self.topic, "outlet": self.outlet, "speaker": self.speaker}
        params["year"] = self.year or ""
        params["date_from"] = self.date_from.isoformat() if self.date_from else ""
        params["date_to"] = self.date_to.isoformat() if self.date_to else ""
        return {name: value for name, value in params.items() if value}

    def __bool__(self):
        return bool(self.as_params())


def filter_choices(filters):
    """Options for the filter form: three queries, whatever the archive's size."""
    public_reports = Report.objects.public()
    outlets = Organization.objects.filter(Exists(public_reports.filter(outlet=OuterRef("pk"))))
    span = public_reports.aggregate(first=Min("published_at"), last=Max("published_at"))
    years = []
    if span["first"] and span["last"]:
        first = timezone.localtime(span["first"]).year
        last = timezone.localtime(span["last"]).year
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


class PaginateGracefully:
    """Page 0, -1, 9999 or 'abc' gives the nearest real page, not an error."""

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
    featured = list(
        Quote.objects.filter(Exists(visible_segment), featured=True)
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


class SpeakerListView(PaginateGracefully, CanonicalMixin, ListView):
    paginate_by = 50
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
            "-segment__report__published_at", "segment__position", "pk"
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
        )
        page = Paginator(reports, 20).get_page(self.request.GET.get("page"))
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


def server_error(request):
    if _is_api(request):
        from .api.http import problem_response

        return problem_response(500, "The server could not answer this request.")
    return default_server_error(request)
