from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from agencies.api import CalendarDueView
from dossiers.api import DossierActionView, DossierCollection, DossierItem
from dossiers.views_public import public_lookup
from interop.api import OnlineDossierPush
from onestop.views import healthz, home
from procedures.api import ProcedureDetailView, ProcedureListView
from reports.api import HandlingReportView
from surveys.urls import api_patterns as public_api

api_v1 = [
    path("calendar/due", CalendarDueView.as_view(), name="calendar-due"),
    path("procedures/", ProcedureListView.as_view(), name="procedure-list"),
    path("procedures/<str:code>/", ProcedureDetailView.as_view(), name="procedure-detail"),
    path("dossiers/", DossierCollection.as_view(), name="dossier-list"),
    path("dossiers/<str:code>/", DossierItem.as_view(), name="dossier-detail"),
    path("dossiers/<str:code>/<str:action>/", DossierActionView.as_view(), name="dossier-action"),
    path("reports/handling", HandlingReportView.as_view(), name="reports-handling"),
    path("portal/online-dossiers", OnlineDossierPush.as_view(), name="portal-online-push"),
    *public_api,
]

admin.site.site_header = _("One-stop desk administration")
admin.site.site_title = _("One-stop desk")
admin.site.index_title = _("Administration")

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("agencies/", include("agencies.urls")),
    path("thu-tuc/", include("procedures.urls")),
    path("ho-so/", include("dossiers.urls")),
    path("thong-bao/", include("notifications.urls")),
    path("lien-thong/", include("interop.urls")),
    path("", include("reports.urls")),
    path("tra-cuu/<str:code>/", public_lookup, name="public_lookup"),
    path("", include("surveys.urls")),
    path("", include("results.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("favicon.ico", RedirectView.as_view(url=settings.STATIC_URL + "img/favicon.svg")),
]
