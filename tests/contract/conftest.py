"""Session fixtures of the contract suite: the mocks start once, the selected cases run in parallel.

Each test asserts one (stream, mode) verdict; computing them all up front, ``WORKERS`` child
processes at a time, is what keeps the suite near a minute instead of one serial run per test.
Only the cases of the tests pytest selected are run (``-k xero`` starts no HubSpot mock).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from contract_cases import Case, Verdict, run_cases, running_mocks


@pytest.fixture(scope="session")
def contract_verdicts(request: pytest.FixtureRequest) -> Iterator[dict[str, Verdict]]:
    selected: list[Case] = [
        item.callspec.params["case"]
        for item in request.session.items
        if hasattr(item, "callspec") and isinstance(item.callspec.params.get("case"), Case)
    ]
    vendors = sorted({case.vendor for case in selected})
    with running_mocks(vendors) as mocks:
        yield run_cases(selected, mocks)
