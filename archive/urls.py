from django.contrib.sitemaps.views import index as sitemap_index
from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.decorators.http import require_safe

from . import views
from .caching import cache_public_page as cached
from .feeds import LatestReportsFeed
from .sitemaps import SITEMAPS

app_name = "archive"

CITE_FORMAT = "<str:fmt>"

# Every public page goes through the page cache; see archive/caching.py.
urlpatterns = [
    path("", cached(views.HomeView.as_view()), name="home"),
    path("reports/", cached(views.ReportListView.as_view()), name="report_list"),
    path("reports/<str:slug>/", cached(views.ReportDetailView.as_view()), name="report_detail"),
    path(
        f"reports/<str:slug>/cite.{CITE_FORMAT}",
        require_safe(cached(views.report_cite)),
        name="report_cite",
    ),
    path("speakers/", cached(views.SpeakerListView.as_view()), name="speaker_list"),
    path("speakers/<str:slug>/", cached(views.SpeakerDetailView.as_view()), name="speaker_detail"),
    path("quotes/", cached(views.QuoteListView.as_view()), name="quote_list"),
    path("quotes/<int:pk>/", cached(views.QuoteDetailView.as_view()), name="quote_detail"),
    path(
        f"quotes/<int:pk>/cite.{CITE_FORMAT}",
        require_safe(cached(views.quote_cite)),
        name="quote_cite",
    ),
    path("topics/<str:slug>/", cached(views.TopicDetailView.as_view()), name="topic_detail"),
    path("search/", cached(views.SearchView.as_view()), name="search"),
    path("feeds/reports/", require_safe(cached(LatestReportsFeed())), name="report_feed"),
    path(
        "sitemap.xml",
        require_safe(cached(sitemap_index)),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "archive:sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-<slug:section>.xml",
        require_safe(cached(sitemap)),
        {"sitemaps": SITEMAPS},
        name="sitemap_section",
    ),
]
