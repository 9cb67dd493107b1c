"""The one redactor for error text quoting a vendor: bodies, URLs, exception messages.

Error text travels further than anything else a connector produces (logs, Dagster event metadata,
run records), and a token endpoint or proxy that echoes what it was sent would put a refresh
token, client secret or ``Authorization`` value there. So every message built from a server's
words passes through :func:`excerpt`, which masks

* the exact secret values the caller knows (raw, URL- and JSON-encoded), however they are shaped;
* ``Bearer``/``Basic`` credentials (not a plain word: "Basic authentication failed" stays);
* values of fields whose name says secret (``refresh_token=``, ``"client_secret": "..."``,
  ``Authorization: ...``, ``code=``), in form, query, JSON and header syntax;
* every value of a ``key=value&key=value`` form body or query string (keys stay: they tell what
  was sent);
* anything token-shaped: JWTs, HubSpot ``pat-`` tokens, and 32+ character runs mixing letters
  and digits (hex or base64), except UUIDs (record and correlation ids are what one debugs with)
  and lowercase URL paths.

and then keeps the text short and on one line, so a message stays a message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from functools import partial
from urllib.parse import quote, quote_plus

MASK = "[redacted]"
EXCERPT_CHARS = 200
"""Characters of redacted text kept in a message: enough to read an error, too few to dump a page."""

_SCAN_CHARS = 4_000
"""Only this much of a body is redacted: a multi-megabyte HTML page is not worth the regexes."""

_MIN_SECRET_CHARS = 4
"""Known secrets shorter than this are not masked by value: masking ``"ab"`` would blank the text."""

_SECRET_KEY = (
    r"(?:[\w.-]*(?:token|secret|passw(?:or)?d|pwd|authorization|api[_-]?key|apikey|credential|cookie)"
    r"[\w.-]*|code)"
)
_KEY_VALUE = re.compile(
    rf"""(?<![\w.-])(?P<key>\\?["']?{_SECRET_KEY}\\?["']?\s*[:=]\s*)"""
    rf"""(?:bearer\s+|basic\s+)?+(?!{re.escape(MASK)})"""
    r"""(?:"(?:[^"\\]|\\.)*"?|\\"(?:(?!\\").)*(?:\\")?|'[^']*'?|[^\s&,;"'<>}\]\\]+)""",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"\b(?P<scheme>bearer|basic)\s+(?P<credential>[A-Za-z0-9._~+/=-]{8,})", re.IGNORECASE)
_FORM = re.compile(r"""(?<![\w.%-])[\w.%-]+=[^&\s"'<>]*(?:&[\w.%-]+=[^&\s"'<>]*)+""")
_FORM_VALUE = re.compile(r"=[^&]*")
_JWT = re.compile(r"\b[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}")
_HUBSPOT_TOKEN = re.compile(r"\bpat-[\w-]{8,}")
_OPAQUE = re.compile(r"(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{32,}=*(?![A-Za-z0-9+/_=-])")
_UUID = re.compile(r"[0-9a-fA-F]{8}(?:-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
_TRAILING_TOKEN = re.compile(r"[A-Za-z0-9+/_=%.~-]*$")
_CONTROL_OR_SPACE = re.compile(r"[\s\x00-\x1f\x7f]+")


def is_secret_key(name: str) -> bool:
    """Whether a field name (``refresh_token``, ``Authorization``, ``code``) says its value is secret."""
    return re.fullmatch(_SECRET_KEY, name, re.IGNORECASE) is not None


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every secret value and token-shaped string replaced by ``[redacted]``."""
    for value in sorted(_encodings(secrets), key=len, reverse=True):
        text = text.replace(value, MASK)
    text = _KEY_VALUE.sub(lambda m: f"{m['key']}{MASK}", text)
    text = _SCHEME.sub(_mask_credential, text)
    text = _FORM.sub(lambda m: _FORM_VALUE.sub(f"={MASK}", m[0]), text)
    text = _JWT.sub(MASK, text)
    text = _HUBSPOT_TOKEN.sub(MASK, text)
    return _OPAQUE.sub(_mask_opaque, text)


def excerpt(text: str, secrets: Iterable[str] = (), limit: int = EXCERPT_CHARS) -> str:
    """Redacted, single-line and at most ``limit`` characters, saying so when it was cut."""
    if not text.strip():
        return "(empty body)"
    scanned = text[:_SCAN_CHARS]
    if len(text) > _SCAN_CHARS:  # the cut may have split a secret so that no rule knows it: drop the piece
        scanned = _TRAILING_TOKEN.sub("", scanned)
    line = _CONTROL_OR_SPACE.sub(" ", redact(scanned, secrets)).strip()
    if len(line) <= limit and len(text) <= _SCAN_CHARS:
        return line
    return f"{line[:limit]}... (cut; {len(text)} characters in all)"


def _encodings(secrets: Iterable[str]) -> set[str]:
    """Each secret as sent, and as a form, a URL or a JSON string would carry it."""
    values = {s for s in secrets if len(s) >= _MIN_SECRET_CHARS}
    encoders = (quote_plus, partial(quote, safe=""), lambda s: json.dumps(s)[1:-1])
    return values | {encode(s) for s in values for encode in encoders}


def _mask_credential(match: re.Match[str]) -> str:
    """Mask what follows ``Bearer``/``Basic`` unless it is a plain word ("Basic authentication")."""
    credential = match["credential"]
    if re.search(r"[\d+/=._~-]|[a-z].*[A-Z]", credential):
        return f"{match['scheme']} {MASK}"
    return match[0]


def _mask_opaque(match: re.Match[str]) -> str:
    """Mask a long run if it looks random: letters and digits, not a UUID, not a lowercase URL path."""
    run = match[0]
    if not (re.search(r"\d", run) and re.search(r"[A-Za-z]", run)) or _UUID.fullmatch(run):
        return run
    if "/" in run and run == run.lower():
        return run
    return MASK
