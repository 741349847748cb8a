"""analyze(): the one entry point that never raises. (Work in progress.)"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cryptography import x509

from analyzers.findings import finding
from analyzers.report import Report


def analyze(
    data: str | bytes,
    *,
    now: datetime,
    host: str | None = None,
    trust: Sequence[x509.Certificate] = (),
    source: str = "-",
) -> Report:
    """Analyse chat text (str) or a file (bytes). Never raises."""
    return Report(
        source,
        (),
        (finding("pem.none_found", None, "証明書が見つかりません。", "No certificate found."),),
    )
