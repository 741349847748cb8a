"""Download files attached to a Slack message (url_private, with the bot token).

Only certificate-like extensions up to 1 MB are fetched. The bot token is sent only
to Slack's file hosts over https on the default port, or to the origin (scheme, host
and port) of SLACK_API_URL (the local stand-in in tests), so a crafted url_private can
never make the bot hand its token to someone else. A redirect is followed only within
the same origin; the token is never sent anywhere else.

A download that answers with a web page instead of the file (Slack's sign-in page,
status 200, when the app lacks `files:read` or was not reinstalled after it was added)
is a failed download with that cause, not a file "with no certificate in it".
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
    why: str  # "ext" | "size" | "failed" | "not_a_file"


class NotAFile(ValueError):
    """The download answered with a web page (HTML) instead of the file."""


class Refused(ValueError):
    """The URL, or a redirect, leads outside the hosts the token may go to."""


def allowed_name(name: str) -> bool:
    return PurePosixPath(name.lower()).suffix in ALLOWED_EXTENSIONS


Origin = tuple[str, str, int]


def _origin(url: str) -> Origin | None:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return None
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:  # a port that is not a number
        return None
    return parts.scheme, parts.hostname.lower(), port


def _trusted_host(url: str, api_url: str | None) -> bool:
    """Slack's file hosts (https, port 443), or exactly the origin of SLACK_API_URL."""
    origin = _origin(url)
    if origin is None:
        return False
    scheme, host, port = origin
    if host in SLACK_FILE_HOSTS or host.endswith(".slack.com"):
        return scheme == "https" and port == 443
    return api_url is not None and origin == _origin(api_url)


class _SameOrigin(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to the origin of the request; anything else is refused
    (urllib would otherwise carry the Authorization header to the new host)."""

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        if _origin(newurl) != _origin(req.full_url):
            raise Refused(f"redirect to another host refused: {urlsplit(newurl).hostname}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_OPENER = urllib.request.build_opener(_SameOrigin)
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<!--")


def looks_like_html(content_type: str, data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return content_type.lower().startswith("text/html") or head.startswith(_HTML_STARTS)


def download(url: str, token: str, *, api_url: str | None, limit: int = MAX_BYTES) -> bytes:
    """GET `url` with the bot token; ValueError when it is larger than `limit`, Refused
    for a host the token may not go to, NotAFile for a web page instead of the file."""
    if not _trusted_host(url, api_url):
        raise Refused(f"refusing to send the bot token to {urlsplit(url).hostname}")
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with _OPENER.open(req, timeout=TIMEOUT_S) as resp:  # host checked above
        content_type = str(resp.headers.get("Content-Type") or "")
        data: bytes = resp.read(limit + 1)
    if len(data) > limit:
        raise ValueError("file too large")
    if looks_like_html(content_type, data):
        raise NotAFile(f"a web page ({content_type or 'HTML'}) instead of the file")
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
        except NotAFile as exc:
            log.warning(
                "upload %s: %s; does the app have the files:read scope (reinstalled)?", name, exc
            )
            skipped.append(Skipped(name, "not_a_file"))
        except Refused as exc:
            log.warning("upload %s skipped: %s", name, exc)
            skipped.append(Skipped(name, "failed"))
        except ValueError as exc:
            log.warning("upload %s skipped: %s", name, exc)
            skipped.append(Skipped(name, "size" if "large" in str(exc) else "failed"))
        except (urllib.error.URLError, OSError, TimeoutError):
            log.exception("download of %s failed", name)
            skipped.append(Skipped(name, "failed"))
    return uploads, skipped
