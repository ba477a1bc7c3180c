from django.urls import path

from . import views, views_import

app_name = "procedures"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("excel/", views.catalog_excel, name="excel"),
    # The catalogue from outside (views_import): ahead of "<str:code>/", which would take them as codes.
    path("nhap-phu-luc/", views_import.annex_import, name="annex_import"),
    path("nhap-phu-luc/xac-nhan-thoi-han/", views_import.confirm_times, name="confirm_times"),
    path("dong-bo-cong-quoc-gia/", views_import.portal_sync, name="portal_sync"),
    path("linh-vuc/<str:field_code>/niem-yet/", views.field_posters, name="field_posters"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/niem-yet/", views.poster, name="poster"),
    path("<str:code>/qr.svg", views.qr_code, name="qr"),
]
