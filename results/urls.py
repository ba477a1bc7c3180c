from django.urls import path

from . import views

app_name = "results"

urlpatterns = [
    path("ket-qua/<int:pk>/tai-ve/", views.download, name="download"),
    path("ket-qua/ho-so/<str:code>/mau-<str:form>.pdf", views.form_pdf, name="form_pdf"),
    path("ket-qua/ho-so/<str:code>/thu/<slug:key>.pdf", views.letter_pdf, name="letter_pdf"),
    path("ket-qua/huong-dan/<str:number>.pdf", views.guidance_pdf, name="guidance_pdf"),
    path("kiem-tra-ket-qua/", views.verify, name="verify_upload"),
    path("kiem-tra-ket-qua/<str:token>/", views.verify, name="verify"),
    # The citizen's signed result, after the lookup key (the link of the "result ready" message).
    path("tra-cuu/<str:code>/ket-qua/", views.citizen_download, name="citizen_download"),
]
