"""Electronic results benchmark (issue 14): PDFs rendered per second, results signed per second
(PKCS#12), verifications per second and the size of a typical signed result.

    .venv/bin/python bench/results_bench.py [--seconds 10]

No database: it renders the generic result notice and Mẫu 01-like pages from in-memory facts,
signs with a freshly generated test CA (NOT FOR PRODUCTION), with and without the agency seal and
the stand-in TSA over loopback HTTP. Single process, one core.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")


def rate(fn, seconds: float) -> tuple[float, float, float]:
    """(operations per second, median ms, p95 ms) of fn over about `seconds`."""
    fn()  # warm up (fonts, templates)
    times = []
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or len(times) < 5:
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    total = sum(times)
    times.sort()
    return len(times) / total, statistics.median(times) * 1000, times[int(len(times) * 0.95) - 1] * 1000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.utils import timezone

    from results.pdf import render_pdf
    from results.signing import SignatureBlock, load_pkcs12, sign_pdf
    from results.testca import DEFAULT_PASSWORD, make_test_ca
    from results.tsa import RunningTSA
    from results.verification import verify_pdf

    tmp = Path(tempfile.mkdtemp(prefix="results-bench-"))
    make_test_ca(tmp)
    settings.RESULTS_TRUST_ROOTS = [str(tmp / "root.pem")]
    settings.RESULTS_CRLS = [str(tmp / "root.crl"), str(tmp / "intermediate.crl")]

    agency = SimpleNamespace(name="Ủy ban nhân dân xã Vĩnh Bảo", parent=None, parent_id=None)
    facts = {
        "applicant_name": "Nguyễn Thị Ánh Tuyết",
        "procedure_name": "Đăng ký khai sinh",
        "procedure_code": "1.001193",
        "dossier_code": "H15.50.05.13-261008-0975",
        "agency_name": agency.name,
        "received_date": "08/10/2026",
        "result_date": "ngày 08 tháng 10 năm 2026",
        "number": "H15.50.05.13-261008-0975/KQ",
    }
    context = {
        "dossier": SimpleNamespace(code=facts["dossier_code"]),
        "agency": agency,
        "parent_name": "Tỉnh Hải Phòng",
        "place_date": "Vĩnh Bảo, ngày 08 tháng 10 năm 2026",
        "number": facts["number"],
        "facts": facts,
    }
    figures = {}

    pdf = render_pdf("results/generic_notice.html", context)
    figures["render_pdf_per_s"], figures["render_median_ms"], figures["render_p95_ms"] = rate(
        lambda: render_pdf("results/generic_notice.html", context), args.seconds
    )
    figures["unsigned_size_bytes"] = len(pdf)

    leader = load_pkcs12((tmp / "leader.p12").read_bytes(), DEFAULT_PASSWORD)
    seal = load_pkcs12((tmp / "seal.p12").read_bytes(), DEFAULT_PASSWORD)
    block = SignatureBlock(
        "Trần Văn Lãnh", "Chủ tịch UBND xã", agency.name, timezone.now(), "http://127.0.0.1:8000/kiem-tra-ket-qua/x/"
    )
    seal_block = dataclasses.replace(block, seal=True, verify_url="")

    def sign_leader():
        return sign_pdf(pdf, signer=leader, block=block, field_name="ChuKyLanhDao")

    def sign_both():
        return sign_pdf(sign_leader(), signer=seal, block=seal_block, field_name="DauCoQuan")

    figures["sign_per_s"], figures["sign_median_ms"], figures["sign_p95_ms"] = rate(sign_leader, args.seconds)
    figures["sign_with_seal_per_s"], figures["sign_with_seal_median_ms"], figures["sign_with_seal_p95_ms"] = rate(
        sign_both, args.seconds
    )
    signed, signed_both = sign_leader(), sign_both()
    figures["signed_size_bytes"] = len(signed)
    figures["signed_with_seal_size_bytes"] = len(signed_both)

    with RunningTSA(tmp, DEFAULT_PASSWORD) as url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        stamper = HTTPTimeStamper(url)

        def sign_ts():
            return sign_pdf(pdf, signer=leader, block=block, field_name="ChuKyLanhDao", timestamper=stamper)

        figures["sign_tsa_per_s"], figures["sign_tsa_median_ms"], figures["sign_tsa_p95_ms"] = rate(
            sign_ts, args.seconds
        )
        figures["signed_tsa_size_bytes"] = len(sign_ts())

    assert verify_pdf(signed_both).ok
    figures["verify_per_s"], figures["verify_median_ms"], figures["verify_p95_ms"] = rate(
        lambda: verify_pdf(signed_both), args.seconds
    )
    # The approve request's added cost: render the draft (at submit) is not in it; signing is.
    print(json.dumps({k: round(v, 1) for k, v in figures.items()}, indent=2))


if __name__ == "__main__":
    main()
