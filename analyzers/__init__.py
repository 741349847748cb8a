"""Pure X.509 and PEM analysis that returns findings; no Slack, no database, no network.

`scan` finds blocks in pasted text, `objects` parses them, `checks` and `chain` judge
them, `findings` is the registry of every code, `report` and `render` present the
result, and `redact` removes key material. It imports only the standard library,
cryptography and certifi: never `bot`, `knowledge`, Slack or a database.

    from analyzers import analyze
    report = analyze(text_or_bytes, now=datetime.now(UTC), host="www.example.com")
    report.to_dict()  # the `certdesk check --json` line
"""

from analyzers.core import analyze, certificates_by_index, key_material_report
from analyzers.findings import REGISTRY, CodeInfo, Finding
from analyzers.keys import KeySpan, encoded_runs, find_private_keys
from analyzers.redact import marker, redact, redact_held, without_keys
from analyzers.render import render_report
from analyzers.report import ObjectInfo, Report
from analyzers.text import has_analysable_content, hosts_in_text
from analyzers.trust import TrustRoots, load_trust_roots

__all__ = [
    "REGISTRY",
    "CodeInfo",
    "Finding",
    "KeySpan",
    "ObjectInfo",
    "Report",
    "TrustRoots",
    "analyze",
    "certificates_by_index",
    "encoded_runs",
    "find_private_keys",
    "has_analysable_content",
    "hosts_in_text",
    "key_material_report",
    "load_trust_roots",
    "marker",
    "redact",
    "redact_held",
    "render_report",
    "without_keys",
]
