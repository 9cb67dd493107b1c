"""The vendors' HTTP settings are one launch-time resource that reaches the connectors whole."""

from __future__ import annotations

from connectors.http import HttpSettings
from dagster_project.defs.resources import HttpResource, resources


def test_defaults_are_the_connectors_own() -> None:
    assert HttpResource().settings() == HttpSettings()


def test_every_knob_reaches_the_connector_settings() -> None:
    knobs = {
        "connect_timeout": 1.5,
        "read_timeout": 7.0,
        "retries": 2,
        "backoff_factor": 0.1,
        "backoff_max": 3.0,
        "body_retries": 1,
        "rate_limit_retries": 4,
    }
    assert HttpResource(**knobs).settings() == HttpSettings(**knobs)


def test_both_vendors_share_the_one_http_resource() -> None:
    bound = resources().resources
    assert bound["hubspot"].http is bound["http"]
    assert bound["xero"].http is bound["http"]
