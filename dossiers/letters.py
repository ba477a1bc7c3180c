"""Letters beyond the law (congratulations, condolences) rendered from administrator-edited text.

The text is a Django template with a small, fixed context; it is rendered in a sandboxed engine
(no custom tags, autoescaped), so an edited template cannot reach anything else.
"""

from django.template import Context, Engine, TemplateSyntaxError
from django.utils import timezone

from .models import LetterTemplate

_ENGINE = Engine(autoescape=True, libraries={}, builtins=[])

DEFAULT_LETTERS = [
    {
        "key": "chuc-mung-ket-hon",
        "name": "Thư chúc mừng đăng ký kết hôn",
        "procedure_codes": "1.000894, 1.000593, 1.000497",
        "title": "THƯ CHÚC MỪNG",
        "body": (
            "Nhân dịp ông/bà {{ applicant_name }} đăng ký kết hôn tại {{ agency_name }}, "
            "Ủy ban nhân dân xã xin gửi lời chúc mừng tốt đẹp nhất. Chúc hai bạn trăm năm hạnh phúc, "
            "xây dựng gia đình no ấm, bình đẳng, tiến bộ và hạnh phúc.\n\n{{ date }}"
        ),
    },
    {
        "key": "chia-buon",
        "name": "Thư chia buồn khi đăng ký khai tử",
        "procedure_codes": "1.000656, 1.000419",
        "title": "THƯ CHIA BUỒN",
        "body": (
            "Được tin gia đình ông/bà {{ applicant_name }} có người thân qua đời, {{ agency_name }} "
            "xin gửi tới gia đình lời chia buồn sâu sắc nhất. Mong gia đình sớm vượt qua mất mát này.\n\n{{ date }}"
        ),
    },
]


def seed_default_letters():
    for letter in DEFAULT_LETTERS:
        LetterTemplate.objects.get_or_create(key=letter["key"], defaults=letter)


def letters_for(dossier):
    if dossier.status not in ("result_ready", "returned"):
        return []
    return [t for t in LetterTemplate.objects.filter(active=True) if dossier.procedure.code in t.codes()]


def render_letter(template: LetterTemplate, dossier) -> str:
    today = timezone.localdate()
    context = Context(
        {
            "applicant_name": dossier.applicant_name,
            "procedure_name": dossier.procedure_version.name,
            "agency_name": dossier.competent_agency.name,
            "date": f"ngày {today.day:02d} tháng {today.month:02d} năm {today.year}",
        }
    )
    try:
        return _ENGINE.from_string(template.body).render(context)
    except TemplateSyntaxError as exc:
        return f"[{exc}]"
