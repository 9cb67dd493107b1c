"""Every connector stream against Prism mocks of the vendors' official OpenAPI specs.

For each stream, three runs: first load against the spec's static examples, first load against
seeded generated payloads (dynamic mode), and an incremental run with a cursor set (static mode).
Each must land batches in the declared schemas or stop with a named error; requests the spec
rejects, unnamed errors, crashes and hangs fail. See docs/contracts.md for the design, the
results table and where the specs and the live APIs disagree.
"""

from __future__ import annotations

import pytest
from contract_cases import Case, Verdict, all_cases

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("case", all_cases(), ids=lambda case: case.id)
def test_stream_honours_contract(case: Case, contract_verdicts: dict[str, Verdict]) -> None:
    verdict = contract_verdicts[case.id]
    if not verdict.ok:
        pytest.fail(f"{case.id}: {verdict.summary}: {verdict.detail}", pytrace=False)
