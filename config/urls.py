from django.contrib import admin
from django.urls import include, path

from archive import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("archive.api.urls")),
    path("", include("archive.urls")),
]

# Under /api/ errors are problem-details JSON; elsewhere the site's own pages.
handler400 = views.bad_request
handler404 = views.not_found
handler500 = views.server_error
