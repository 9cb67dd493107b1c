"""Xero's XML rendering: what the Accounting API answers when ``Accept`` is not JSON.

A connector that forgets ``Accept: application/json`` must see what the real API sends (XML) and
fail loudly, not get JSON by luck. The rendering is the same tree as the JSON: objects become
elements, a list ``Invoices`` holds ``Invoice`` children, ``/Date(ms)/`` values become ISO
timestamps and ``null`` fields are left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

_MS_DATE = re.compile(r"/Date\((-?\d+)(?:[+-]\d{4})?\)/")


def singular(name: str) -> str:
    """``Invoices`` → ``Invoice``, ``Currencies`` → ``Currency``, ``Addresses`` → ``Address``."""
    if name.endswith("ies"):
        return name[:-3] + "y"
    if name.endswith("sses"):
        return name[:-2]
    if name.endswith("s"):
        return name[:-1]
    return name


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        found = _MS_DATE.fullmatch(value)
        if found:
            moment = datetime.fromtimestamp(int(found.group(1)) / 1000, tz=UTC)
            return moment.strftime("%Y-%m-%dT%H:%M:%S")
        return value
    return str(value)


def _fill(parent: Element, name: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, Mapping):
        child = SubElement(parent, name)
        for key, item in value.items():
            _fill(child, key, item)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        child = SubElement(parent, name)
        for item in value:
            _fill(child, singular(name), item)
    else:
        SubElement(parent, name).text = _text(value)


def render_xml(root: str, body: Mapping[str, Any]) -> bytes:
    """Serialise a response body under ``root`` (``Response`` for data, ``ApiException`` for errors)."""
    element = Element(root)
    for key, value in body.items():
        _fill(element, key, value)
    return tostring(element, encoding="utf-8", xml_declaration=True)
