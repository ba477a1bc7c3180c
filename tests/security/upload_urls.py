"""A view that takes files the way the intake and the API should (check_upload_request first), for
tests/security/test_uploads.py only."""

from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from dossiers.uploads import Upload, check_upload_request, clean_uploads


@csrf_exempt
def take(request):
    try:
        check_upload_request(request)
        files = request.FILES.getlist("scans")
        on_disk = [hasattr(f, "temporary_file_path") for f in files]
        cleaned = clean_uploads([Upload.from_django(f) for f in files])
    except ValidationError as exc:
        return JsonResponse({"errors": exc.message_dict}, status=400)
    return JsonResponse({"on_disk": on_disk, "kinds": [c.extension for c in cleaned]})


urlpatterns = [path("take/", take)]
