from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("bao-cao/", views.dashboard, name="dashboard"),
    path("bao-cao/dinh-ky/", views.periodic, name="periodic"),
    path("bao-cao/hai-long/", views.satisfaction_view, name="satisfaction"),
    path("bao-cao/chi-so-766/", views.index766, name="index766"),
    path("bao-cao/chi-so-766/ho-so/", views.index766_dossiers, name="index766_dossiers"),
    path("reports/handling.xlsx", views.handling_xlsx_view, name="handling_xlsx"),
    path("bang-tin/", views.board, name="board"),
    path("bang-tin/nhung/", views.board_widget, name="widget"),
]
