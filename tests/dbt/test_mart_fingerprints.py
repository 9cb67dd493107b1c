"""Every mart of the test business equals the recorded one: a refactor changes no number.

See ``mart_fingerprints.py`` for what is compared and how to record a change that is meant.
"""

from __future__ import annotations

import json

from dbt_warehouse import SandboxWarehouse
from mart_fingerprints import RECORDED, differences, fingerprints


def test_every_mart_equals_the_recorded_fingerprint(sandbox_warehouse: SandboxWarehouse) -> None:
    expected = json.loads(RECORDED.read_text())
    changed = differences(expected, fingerprints(sandbox_warehouse.path))
    assert not changed, (
        "the marts differ from tests/dbt/mart_fingerprints.json; if the change is meant, record it with "
        "`.venv/bin/python tests/dbt/mart_fingerprints.py --record`:\n  " + "\n  ".join(changed)
    )


def test_a_changed_value_is_named() -> None:
    before = {"fct_deals": {"rows": 2, "columns": {"deal_id": "1", "amount_home": "5"}}}
    after = {
        "fct_deals": {"rows": 2, "columns": {"deal_id": "1", "amount_home": "6"}},
        "fct_new": before["fct_deals"],
    }
    assert differences(before, after) == ["mart fct_new is new", "fct_deals.amount_home differs"]
