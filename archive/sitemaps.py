"""/sitemap.xml: every public report, speaker and topic, and the list pages."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Report, Speaker, Topic


class ReportSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Report.objects.public().only("slug", "updated_at").order_by("-published_at", "-pk")

    def lastmod(self, item):
        return item.updated_at


class SpeakerSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Speaker.objects.public().only("slug").order_by("slug")


class TopicSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Topic.objects.public().only("slug").order_by("slug")


class PageSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.6

    def items(self):
        return ["archive:home", "archive:report_list", "archive:speaker_list", "archive:quote_list"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": PageSitemap,
    "reports": ReportSitemap,
    "speakers": SpeakerSitemap,
    "topics": TopicSitemap,
}
