from django.urls import path

from . import views, views_print

app_name = "dossiers"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("so-theo-doi.xlsx", views.register_xlsx, name="register"),
    path("huong-dan/<str:number>/in/", views_print.print_guidance, name="print_guidance"),
    path("<str:code>/in/mau-<str:form>/", views_print.print_form, name="print"),
]
