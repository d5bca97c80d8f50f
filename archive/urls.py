from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import views
from .feeds import LatestReportsFeed
from .sitemaps import SITEMAPS

app_name = "archive"

CITE_FORMAT = "<str:fmt>"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("reports/", views.ReportListView.as_view(), name="report_list"),
    path("reports/<str:slug>/", views.ReportDetailView.as_view(), name="report_detail"),
    path(f"reports/<str:slug>/cite.{CITE_FORMAT}", views.report_cite, name="report_cite"),
    path("speakers/", views.SpeakerListView.as_view(), name="speaker_list"),
    path("speakers/<str:slug>/", views.SpeakerDetailView.as_view(), name="speaker_detail"),
    path("quotes/", views.QuoteListView.as_view(), name="quote_list"),
    path("quotes/<int:pk>/", views.QuoteDetailView.as_view(), name="quote_detail"),
    path(f"quotes/<int:pk>/cite.{CITE_FORMAT}", views.quote_cite, name="quote_cite"),
    path("topics/<str:slug>/", views.TopicDetailView.as_view(), name="topic_detail"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feeds/reports/", LatestReportsFeed(), name="report_feed"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]
