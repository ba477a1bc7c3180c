from django.urls import path

from . import views

app_name = "interop"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/gui-lai/", views.resend, name="resend"),
    path("gui-lai-tat-ca/", views.resend_held, name="resend_held"),
]
