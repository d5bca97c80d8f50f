"""/sitemap.xml: an index of paged sitemaps of every public report, quote,
speaker and topic, and of the list pages.

Each section is paged by primary-key range (:class:`IdRangePaginator`), not by
``OFFSET``: page *n* holds the public rows whose id lies in the *n*-th block of
``limit`` ids, so every page costs one index range scan however large the
archive, and the index costs one probe per section. A block can hold fewer
rows than ``limit`` (drafts keep their ids), never more.
"""

import math

from django.contrib.sitemaps import Sitemap
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.urls import reverse
from django.utils.functional import cached_property

from .models import Quote, Report, Speaker, Topic

PAGE_SIZE = 1000  # ids per sitemap page: the protocol allows 50,000 URLs, but a page
# renders at about 50 µs a URL, and the index grows by one entry per page


class IdRangePage:
    def __init__(self, object_list, number):
        self.object_list = object_list
        self.number = number


class IdRangePaginator:
    """What Django's sitemap views ask of a paginator: ``num_pages`` and ``page(n)``."""

    def __init__(self, queryset, per_page):
        self.queryset = queryset
        self.per_page = per_page

    @cached_property
    def num_pages(self):
        last_id = self.queryset.order_by("-pk").values_list("pk", flat=True).first() or 0
        return max(1, math.ceil(last_id / self.per_page))

    def page(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1 or number > self.num_pages:
            raise EmptyPage("That page contains no results")
        first_id = (number - 1) * self.per_page
        rows = self.queryset.filter(pk__gt=first_id, pk__lte=first_id + self.per_page)
        return IdRangePage(rows.order_by("pk"), number)


class PagedSitemap(Sitemap):
    limit = PAGE_SIZE

    @property
    def paginator(self):
        return IdRangePaginator(self.items(), self.limit)

    def get_latest_lastmod(self):
        return None  # the newest change over every row would cost a scan; pages carry theirs


class ReportSitemap(PagedSitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Report.objects.public().only("slug", "updated_at")

    def lastmod(self, item):
        return item.updated_at


class QuoteSitemap(PagedSitemap):
    changefreq = "monthly"
    priority = 0.4

    def items(self):
        return Quote.objects.public().only("pk")


class SpeakerSitemap(PagedSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Speaker.objects.public().only("slug")


class TopicSitemap(PagedSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Topic.objects.public().only("slug")


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
    "quotes": QuoteSitemap,
    "speakers": SpeakerSitemap,
    "topics": TopicSitemap,
}
