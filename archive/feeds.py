"""RSS of the latest public reports."""

from django.contrib.syndication.views import Feed
from django.urls import reverse

from .citations import format_duration, long_aired
from .models import Report
from .text import for_output


class LatestReportsFeed(Feed):
    """The 30 latest public reports.

    Every text goes through ``for_output``: a row stored before the text rule
    existed may hold a control character, on which Django's XML writer raises
    (one such title once made the feed fail for everyone).
    """

    title = "Report Archive: latest reports"
    description = "The latest broadcast news reports published in the archive."

    def link(self):
        return reverse("archive:report_list")

    def items(self):
        # Newest in the archive first: a feed tells subscribers what was added.
        return Report.objects.public().select_related("outlet", "correspondent", "programme")[:30]

    def item_title(self, item):
        return for_output(item.title)

    def item_description(self, item):
        facts = [
            f"Aired {long_aired(item.aired_at)}" if item.aired_at else "",
            item.programme.name if item.programme else "",
            item.outlet.name if item.outlet else "",
            item.correspondent.name if item.correspondent else "",
            item.dateline,
            format_duration(item.duration),
        ]
        return for_output(" · ".join(fact for fact in facts if fact))

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return for_output(item.correspondent.name) if item.correspondent else None
