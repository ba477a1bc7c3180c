from django.urls import path

from . import views

app_name = "procedures"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("excel/", views.catalog_excel, name="excel"),
    path("linh-vuc/<str:field_code>/niem-yet/", views.field_posters, name="field_posters"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/niem-yet/", views.poster, name="poster"),
    path("<str:code>/qr.svg", views.qr_code, name="qr"),
]
