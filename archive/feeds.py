"""RSS: the latest public reports and quotes, and each speaker's and topic's reports.

Django's feed view sends Last-Modified (the newest item's date), so
``ConditionalGetMiddleware`` answers ``If-Modified-Since`` with a 304.
"""

from django.contrib.syndication.views import Feed
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Rss201rev2Feed
from django.utils.text import Truncator

from .citations import format_duration, long_aired
from .models import Quote, Report, Segment, Speaker, Topic
from .text import for_output


def _safe(value):
    if isinstance(value, str):
        return for_output(value)
    if isinstance(value, list | tuple):
        return type(value)(_safe(item) for item in value)
    return value


class SafeRssFeed(Rss201rev2Feed):
    """RSS whose every text goes through ``for_output``, in every feed and field.

    A row stored before the text rule existed may hold a control character, on
    which Django's XML writer raises (one such title once made the feed fail
    for everyone).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*map(_safe, args), **{key: _safe(v) for key, v in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*map(_safe, args), **{key: _safe(v) for key, v in kwargs.items()})


class LatestReportsFeed(Feed):
    """The 30 latest public reports."""

    feed_type = SafeRssFeed

    title = "Report Archive: latest reports"
    description = "The latest broadcast news reports published in the archive."

    def link(self):
        return reverse("archive:report_list")

    def items(self):
        # Newest in the archive first: a feed tells subscribers what was added.
        return Report.objects.public().select_related("outlet", "correspondent", "programme")[:30]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        facts = [
            f"Aired {long_aired(item.aired_at)}" if item.aired_at else "",
            item.programme.name if item.programme else "",
            item.outlet.name if item.outlet else "",
            item.correspondent.name if item.correspondent else "",
            item.dateline,
            format_duration(item.duration),
        ]
        return " · ".join(fact for fact in facts if fact)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.correspondent.name if item.correspondent else None


class LatestQuotesFeed(Feed):
    feed_type = SafeRssFeed
    title = "Report Archive: latest quotes"
    description = "Quotes from the latest broadcast news reports in the archive."
    limit = 30

    def link(self):
        return reverse("archive:quote_list")

    def quotes(self):
        return (
            Quote.objects.public()
            .select_related("speaker", "segment__report")
            .order_by("-segment__report__published_at", "segment__position", "pk")
        )

    def items(self):
        return self.quotes()[: self.limit]

    def item_title(self, item):
        return f"{item.speaker.name}: “{Truncator(item.text).chars(80)}”"

    def item_description(self, item):
        caption = f", {item.segment.speaker_title}" if item.segment.speaker_title else ""
        return f"“{item.text}” — {item.speaker.name}{caption}, in “{item.segment.report.title}”"

    def item_pubdate(self, item):
        return item.segment.report.published_at

    def item_author_name(self, item):
        return item.speaker.name


def public_by_slug(queryset, slug):
    # A slug is letters, digits and hyphens; anything else (a NUL byte, which
    # PostgreSQL refuses in a query) names nothing.
    from .views import SLUG_RE

    if not SLUG_RE.fullmatch(slug):
        raise Http404("No such page.")
    return get_object_or_404(queryset, slug=slug)


class SpeakerFeed(LatestReportsFeed):
    """A person's latest public reports: those they are heard in or filed."""

    def get_object(self, request, slug):
        return public_by_slug(Speaker.objects.public(), slug)

    def title(self, speaker):
        return f"Report Archive: {speaker.name}"

    def description(self, speaker):
        return f"The latest broadcast news reports with {speaker.name}."

    def link(self, speaker):
        return speaker.get_absolute_url()

    def items(self, speaker):
        heard = Segment.objects.filter(report=OuterRef("pk"), speaker=speaker)
        reports = Report.objects.public().filter(Exists(heard) | Q(correspondent=speaker))
        return reports.select_related("outlet", "correspondent")[:30]


class TopicFeed(LatestReportsFeed):
    def get_object(self, request, slug):
        return public_by_slug(Topic.objects.public(), slug)

    def title(self, topic):
        return f"Report Archive: {topic.name}"

    def description(self, topic):
        return f"The latest broadcast news reports on {topic.name}."

    def link(self, topic):
        return topic.get_absolute_url()

    def items(self, topic):
        reports = Report.objects.public().filter(topics=topic)
        return reports.select_related("outlet", "correspondent")[:30]
