from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyAdmin
from dossiers.access_log import PersonalDataAdminMixin

from .choices import CredentialKind
from .models import ResultDocument, ResultTemplate, SigningCredential
from .signing import SigningFailed, certificate_facts, load_pkcs12
from .vault import encrypt_secret


@admin.register(ResultTemplate)
class ResultTemplateAdmin(admin.ModelAdmin):
    list_display = ("procedure", "version", "title", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("procedure__code", "title")
    autocomplete_fields = ("procedure",)

    def get_readonly_fields(self, request, obj=None):
        # A version some result was made from is kept as it was: a change is a new version.
        if (
            obj is not None
            and ResultDocument.objects.filter(
                dossier__procedure_id=obj.procedure_id, template_version=f"{obj.procedure.code}@v{obj.version}"
            ).exists()
        ):
            return ("procedure", "version", "title", "body")
        return ()


@admin.register(ResultDocument)
class ResultDocumentAdmin(PersonalDataAdminMixin, ReadOnlyAdmin):
    """Read-only: results are written by the services and never changed."""

    list_display = ("number", "version", "dossier", "state", "kind", "signer_name", "signed_at", "download")
    list_filter = ("state", "kind")
    search_fields = ("number", "dossier__code", "sha256")
    exclude = ("file", "token")

    @admin.display(description=_("file"))
    def download(self, obj):
        return format_html('<a href="{}">PDF</a>', reverse("results:download", args=[obj.pk]))


class SigningCredentialForm(forms.ModelForm):
    secret = forms.CharField(
        label=_("Password or PIN"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Checked now; kept only if you tick the box below, and then only encrypted."),
    )
    store_secret = forms.BooleanField(
        label=_("Keep it (encrypted) so that signing does not ask for it"), required=False
    )

    class Meta:
        model = SigningCredential
        fields = (
            "kind",
            "user",
            "agency",
            "label",
            "pkcs12_file",
            "pkcs11_module",
            "pkcs11_token_label",
            "pkcs11_key_label",
            "pkcs11_cert_label",
            "ca_chain_pem",
            "active",
        )

    def clean(self):
        data = super().clean()
        if bool(data.get("user")) == bool(data.get("agency")):
            raise forms.ValidationError(_("Choose either a signer or an agency (for its seal), not both."))
        secret = data.get("secret") or ""
        if data.get("kind") == CredentialKind.PKCS12:
            upload = data.get("pkcs12_file")
            if not upload:
                raise forms.ValidationError({"pkcs12_file": _("Upload the PKCS#12 (.p12 / .pfx) file.")})
            if hasattr(upload, "read") and not getattr(upload, "_committed", False):
                raw = upload.read()
                upload.seek(0)
                try:
                    signer = load_pkcs12(raw, secret)
                except SigningFailed as exc:
                    raise forms.ValidationError({"secret": _("This password does not open the file.")}) from exc
                self._facts = certificate_facts(signer.signing_cert)
        elif not data.get("pkcs11_module"):
            raise forms.ValidationError({"pkcs11_module": _("Give the path of the token's PKCS#11 module.")})
        if data.get("store_secret") and not secret:
            raise forms.ValidationError({"secret": _("Type the password or PIN to keep.")})
        return data

    def save(self, commit=True):
        obj = super().save(commit=False)
        facts = getattr(self, "_facts", None)
        if facts:
            obj.subject = facts["subject"][:500]
            obj.not_after = facts["not_after"]
            obj.certificate_pem = facts["pem"]
        if self.cleaned_data.get("store_secret"):
            obj.secret_encrypted = encrypt_secret(self.cleaned_data["secret"])
        elif self.cleaned_data.get("secret") == "" and "secret" in self.changed_data:
            obj.secret_encrypted = ""
        if commit:
            obj.save()
        return obj


@admin.register(SigningCredential)
class SigningCredentialAdmin(admin.ModelAdmin):
    form = SigningCredentialForm
    list_display = ("__str__", "kind", "subject", "not_after", "has_stored_secret", "active")
    list_filter = ("kind", "active")
    search_fields = ("user__username", "agency__name", "subject", "label")
    autocomplete_fields = ("user", "agency")
    readonly_fields = ("subject", "not_after", "has_stored_secret")

    @admin.display(boolean=True, description=_("password kept (encrypted)"))
    def has_stored_secret(self, obj):
        return obj.has_stored_secret
