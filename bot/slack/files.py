"""Download files attached to a Slack message (url_private, with the bot token).

Only certificate-like extensions up to 1 MB are fetched. The bot token is sent only
to Slack's own hosts or to the host of SLACK_API_URL (the local stand-in in tests),
so a crafted url_private can never make the bot hand its token to someone else.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlsplit

from bot.types import Upload

log = logging.getLogger(__name__)

MAX_BYTES = 1024 * 1024
ALLOWED_EXTENSIONS = frozenset({".pem", ".crt", ".cer", ".der", ".p7b", ".csr", ".txt"})
SLACK_FILE_HOSTS = frozenset({"files.slack.com", "slack-files.com"})
TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Skipped:
    name: str
    why: str  # "ext" | "size" | "failed"


def allowed_name(name: str) -> bool:
    return PurePosixPath(name.lower()).suffix in ALLOWED_EXTENSIONS


def _trusted_host(url: str, api_url: str | None) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http"):
        return False
    host = parts.hostname or ""
    if host in SLACK_FILE_HOSTS or host.endswith(".slack.com"):
        return parts.scheme == "https"
    return api_url is not None and host == (urlsplit(api_url).hostname or "")


def download(url: str, token: str, *, api_url: str | None, limit: int = MAX_BYTES) -> bytes:
    """GET `url` with the bot token; raise ValueError when it is larger than `limit`."""
    if not _trusted_host(url, api_url):
        raise ValueError(f"refusing to send the bot token to {urlsplit(url).hostname}")
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:  # host checked above
        data: bytes = resp.read(limit + 1)
    if len(data) > limit:
        raise ValueError("file too large")
    return data


def fetch_uploads(
    files: Iterable[dict[str, Any]],
    *,
    token: str,
    api_url: str | None,
    file_info: Any = None,
) -> tuple[list[Upload], list[Skipped]]:
    """Download the usable files of a message. `file_info(id)` fills in partial file
    objects (Slack sends `file_access: check_file_info` for some shares)."""
    uploads: list[Upload] = []
    skipped: list[Skipped] = []
    for f in files:
        if f.get("file_access") == "check_file_info" and file_info is not None and f.get("id"):
            try:
                f = file_info(f["id"]) or f
            except Exception:
                log.exception("files.info failed for %s", f.get("id"))
        name = str(f.get("name") or f.get("title") or f.get("id") or "upload")
        if not allowed_name(name):
            skipped.append(Skipped(name, "ext"))
            continue
        size = f.get("size")
        if isinstance(size, int) and size > MAX_BYTES:
            skipped.append(Skipped(name, "size"))
            continue
        url = f.get("url_private_download") or f.get("url_private")
        if not url:
            skipped.append(Skipped(name, "failed"))
            continue
        try:
            uploads.append(Upload(name=name, data=download(url, token, api_url=api_url)))
        except ValueError as exc:
            log.warning("upload %s skipped: %s", name, exc)
            skipped.append(Skipped(name, "size" if "large" in str(exc) else "failed"))
        except (urllib.error.URLError, OSError, TimeoutError):
            log.exception("download of %s failed", name)
            skipped.append(Skipped(name, "failed"))
    return uploads, skipped
