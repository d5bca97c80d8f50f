from django.contrib.sitemaps.views import index as sitemap_index
from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.decorators.http import require_safe

from . import views
from .caching import cache_public_page as cached
from .feeds import LatestQuotesFeed, LatestReportsFeed, SpeakerFeed, TopicFeed
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
    path(
        "reports/<str:slug>/captions.vtt",
        require_safe(cached(views.report_captions)),
        name="report_captions",
    ),
    path(
        "reports/<str:slug>/segments/<int:position>/",
        require_safe(cached(views.segment_detail)),
        name="segment_detail",
    ),
    path("speakers/", cached(views.SpeakerListView.as_view()), name="speaker_list"),
    path("speakers/<str:slug>/", cached(views.SpeakerDetailView.as_view()), name="speaker_detail"),
    path("speakers/<str:slug>/feed/", require_safe(cached(SpeakerFeed())), name="speaker_feed"),
    path("quotes/", cached(views.QuoteListView.as_view()), name="quote_list"),
    path("quotes/<int:pk>/", cached(views.QuoteDetailView.as_view()), name="quote_detail"),
    path(
        f"quotes/<int:pk>/cite.{CITE_FORMAT}",
        require_safe(cached(views.quote_cite)),
        name="quote_cite",
    ),
    path("topics/", cached(views.TopicListView.as_view()), name="topic_list"),
    path("topics/<str:slug>/", cached(views.TopicDetailView.as_view()), name="topic_detail"),
    path("topics/<str:slug>/feed/", require_safe(cached(TopicFeed())), name="topic_feed"),
    path("search/", cached(views.SearchView.as_view()), name="search"),
    path("feeds/reports/", require_safe(cached(LatestReportsFeed())), name="report_feed"),
    path("feeds/quotes/", require_safe(cached(LatestQuotesFeed())), name="quote_feed"),
    # Not through the page cache: a new export changes the files, not the database.
    path("data/", require_safe(views.data_page), name="data"),
    path("data/<str:name>", require_safe(views.data_file), name="data_file"),
    path("robots.txt", require_safe(views.robots_txt), name="robots"),
    path("favicon.ico", require_safe(views.favicon), name="favicon"),
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
