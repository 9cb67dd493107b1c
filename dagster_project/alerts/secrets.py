"""The secret values no alert and no alert log line may carry, gathered from the environment.

:mod:`connectors.redaction` masks what looks like a secret (tokens, ``password=...``); it masks
*exactly* what it is told is one. A run's failure text can quote anything the process held, so the
alerts tell it every value they can know is secret: each variable the alert settings name (a
webhook URL is a credential), and each variable whose name says secret (``HUBSPOT_ACCESS_TOKEN``,
``XERO_CLIENT_SECRET``, ``MILEMARKER_PG_PASSWORD``). A URL is also masked by its path and query,
since HTTP libraries quote those without the host ("Max retries exceeded with url: /services/...").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from connectors.redaction import is_secret_key
from dagster_project.alerts.settings import AlertSettings, EmailChannel, WebhookChannel


def secret_variables(settings: AlertSettings) -> list[str]:
    """The environment variables the settings name: webhook URLs and the SMTP login."""
    names = []
    for channel in settings.channels:
        if isinstance(channel, EmailChannel):
            names += [name for name in (channel.username_env, channel.password_env) if name]
        elif isinstance(channel, WebhookChannel):
            names.append(channel.url_env)
        else:
            names.append(channel.webhook_url_env)
    return names


def known_secrets(settings: AlertSettings, environ: Mapping[str, str]) -> frozenset[str]:
    """Every secret value in ``environ`` (see the module docstring), URLs with their path and query."""
    names = set(secret_variables(settings)) | {name for name in environ if is_secret_key(name)}
    values = [environ[name] for name in names if environ.get(name)]
    return frozenset(part for value in values for part in (value, *url_parts(value)))


def url_parts(value: str) -> Iterable[str]:
    """The path-and-query and the query of a URL (nothing for a value that is not one)."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ()
    path_and_query = parts.path + (f"?{parts.query}" if parts.query else "")
    return tuple(part for part in (path_and_query, parts.path, parts.query) if len(part) > 1)
