from django.urls import path, re_path

from dossiers import views_public

from . import api, kiosk, views

app_name = "surveys"

urlpatterns = [
    path("tra-cuu/", views_public.lookup_form, name="lookup"),
    path("khao-sat/<slug:slug>/", views.survey_answer, name="survey"),
    path("khao-sat/<slug:slug>/ket-qua/", views.survey_results, name="survey_results"),
    path("khao-sat/<slug:slug>/ket-qua.xlsx", views.survey_export, name="survey_export"),
    path("phan-anh/", views.feedback_new, name="feedback_new"),
    path("phan-anh/cong-khai/", views.feedback_public_list, name="feedback_public"),
    path("phan-anh/xu-ly/", views.feedback_queue_view, name="feedback_queue"),
    path("phan-anh/xu-ly/<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("phan-anh/xu-ly/<int:pk>/<slug:step>/", views.feedback_step, name="feedback_step"),
    path("kiosk/", kiosk.kiosk_home, name="kiosk"),
    path("kiosk/cam-on/", kiosk.kiosk_thanks, name="kiosk_thanks"),
    path("kiosk/danh-gia/<str:code>/", kiosk.kiosk_rate, name="kiosk_rate"),
]

# The citizens' API, to add under /api/v1/ (namespace "api"); a trailing slash is optional.
api_patterns = [
    re_path(r"^public/dossiers/(?P<code>[^/]+)/?$", api.PublicDossierView.as_view(), name="public-dossier"),
    re_path(
        r"^public/dossiers/(?P<code>[^/]+)/evaluation/?$",
        api.PublicEvaluationView.as_view(),
        name="public-dossier-evaluation",
    ),
]
