"""Pure X.509 and PEM analysis that returns findings; no Slack, no database, no network.

`scan` finds blocks in pasted text, `objects` parses them, `checks` and `chain` judge
them, `findings` is the registry of every code, `report` and `render` present the
result, and `redact` removes key material. It imports only the standard library,
cryptography and certifi: never `bot`, `knowledge`, Slack or a database.

    from analyzers import analyze
    report = analyze(text_or_bytes, now=datetime.now(UTC), host="www.example.com")
    report.to_dict()  # the `certdesk check --json` line
"""

from analyzers.core import analyze, certificates_by_index
from analyzers.findings import REGISTRY, CodeInfo, Finding
from analyzers.redact import redact
from analyzers.render import render_report
from analyzers.report import ObjectInfo, Report
from analyzers.text import has_analysable_content, hosts_in_text
from analyzers.trust import TrustRoots, load_trust_roots

__all__ = [
    "REGISTRY",
    "CodeInfo",
    "Finding",
    "ObjectInfo",
    "Report",
    "TrustRoots",
    "analyze",
    "certificates_by_index",
    "has_analysable_content",
    "hosts_in_text",
    "load_trust_roots",
    "redact",
    "render_report",
]
