from django.db.models import Prefetch
from django.shortcuts import render
from django.views.generic import DetailView, ListView, TemplateView

from .models import Quote, Report, Segment, Speaker, Topic


class PublicReportMixin:
    """Every report a view shows comes through the one visibility rule."""

    def get_queryset(self):
        return Report.objects.public().select_related("outlet", "correspondent")


class HomeView(TemplateView):
    template_name = "archive/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest_reports"] = Report.objects.public().select_related(
            "outlet", "correspondent"
        )[:10]
        context["featured_quotes"] = (
            Quote.objects.public()
            .filter(featured=True)
            .select_related("speaker", "segment__report")
            .order_by("-segment__report__published_at", "pk")[:5]
        )
        return context


class ReportListView(PublicReportMixin, ListView):
    paginate_by = 20
    context_object_name = "reports"


class ReportDetailView(DetailView):
    context_object_name = "report"

    def get_queryset(self):
        segments = Segment.objects.select_related("speaker").prefetch_related("quotes")
        return (
            Report.objects.public()
            .select_related("outlet", "correspondent")
            .prefetch_related("topics", Prefetch("segments", queryset=segments))
        )

    def get(self, request, *args, **kwargs):
        withdrawn = Report.objects.filter(
            slug=kwargs["slug"], status=Report.Status.WITHDRAWN
        ).first()
        if withdrawn is not None:
            return render(
                request, "archive/report_withdrawn.html", {"report": withdrawn}, status=410
            )
        return super().get(request, *args, **kwargs)


class SpeakerListView(ListView):
    paginate_by = 50
    context_object_name = "speakers"

    def get_queryset(self):
        return Speaker.objects.public().select_related("organization")


class SpeakerDetailView(DetailView):
    context_object_name = "speaker"

    def get_queryset(self):
        return Speaker.objects.public().select_related("organization")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["appearances"] = (
            Segment.objects.public()
            .filter(speaker=self.object)
            .select_related("report")
            .order_by("-report__published_at", "position")
        )
        context["quotes"] = (
            Quote.objects.public().filter(speaker=self.object).select_related("segment__report")
        )
        return context


class QuoteListView(ListView):
    paginate_by = 30
    context_object_name = "quotes"

    def get_queryset(self):
        return (
            Quote.objects.public()
            .select_related("speaker", "segment__report")
            .order_by("-segment__report__published_at", "segment__position", "pk")
        )


class QuoteDetailView(DetailView):
    context_object_name = "quote"

    def get_queryset(self):
        return Quote.objects.public().select_related("speaker", "segment__report__outlet")


class TopicDetailView(DetailView):
    context_object_name = "topic"

    def get_queryset(self):
        return Topic.objects.public()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reports"] = (
            Report.objects.public()
            .filter(topics=self.object)
            .select_related("outlet", "correspondent")
        )
        return context
