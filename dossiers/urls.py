from django.urls import path

from . import views, views_citizen, views_print

app_name = "dossiers"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("tiep-nhan/", views.intake, name="intake"),
    path("tiep-nhan/thu-tuc/", views.intake_procedures, name="intake_procedures"),
    path("tiep-nhan/cong-dan/", views.applicant_lookup, name="applicant_lookup"),
    path("so-theo-doi/", views.register_xlsx, name="register"),
    path("huong-dan/<str:number>/in/", views_print.print_guidance, name="print_guidance"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/in/mau-<str:form>/", views_print.print_form, name="print"),
    path("<str:code>/in/thu/<slug:key>/", views_print.print_letter, name="print_letter"),
    path("<str:code>/tep/<int:pk>/", views.attachment, name="attachment"),
    path("<str:code>/<str:action>/", views.act, name="act"),
    # Citizens' rights over their data (issue 16): three segments at least, so that the dossier
    # routes above (<code>/ and <code>/<action>/) never take them.
    path("cong-dan/du-lieu/tra-cuu/", views_citizen.citizen_data, name="citizen_data"),
    path("cong-dan/yeu-cau-dinh-chinh/tao/", views_citizen.correction_new, name="correction_new"),
    path("cong-dan/yeu-cau-dinh-chinh/danh-sach/", views_citizen.corrections, name="corrections"),
    path("cong-dan/yeu-cau-dinh-chinh/<int:pk>/xu-ly/", views_citizen.correction_handle, name="correction_handle"),
    path("<str:code>/du-lieu-ca-nhan/xem/", views_citizen.citizen_data_public, name="citizen_data_public"),
]
