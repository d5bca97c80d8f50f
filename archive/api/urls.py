"""/api/v1/: the endpoints, the OpenAPI document and its documentation page."""

from django.urls import include, path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views

app_name = "api"

router = DefaultRouter()
router.register("reports", views.ReportViewSet, basename="report")
router.register("segments", views.SegmentViewSet, basename="segment")
router.register("speakers", views.SpeakerViewSet, basename="speaker")
router.register("organizations", views.OrganizationViewSet, basename="organization")
router.register("topics", views.TopicViewSet, basename="topic")
router.register("quotes", views.QuoteViewSet, basename="quote")


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI from the drf-spectacular-sidecar package, under the site's own CSP."""

    template_name = "archive/api/docs.html"
    url_name = "api:openapi"


urlpatterns = [
    path("search/", views.SearchView.as_view(), name="search"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("docs/", DocsView.as_view(), name="docs"),
    path("", include(router.urls)),
]
