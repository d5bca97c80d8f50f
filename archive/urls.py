from django.urls import path

from . import views

app_name = "archive"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("reports/", views.ReportListView.as_view(), name="report_list"),
    path("reports/<str:slug>/", views.ReportDetailView.as_view(), name="report_detail"),
    path("speakers/", views.SpeakerListView.as_view(), name="speaker_list"),
    path("speakers/<str:slug>/", views.SpeakerDetailView.as_view(), name="speaker_detail"),
    path("quotes/", views.QuoteListView.as_view(), name="quote_list"),
    path("quotes/<int:pk>/", views.QuoteDetailView.as_view(), name="quote_detail"),
    path("topics/<str:slug>/", views.TopicDetailView.as_view(), name="topic_detail"),
]
