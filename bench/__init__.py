"""``make bench``: Milemarker's speed and scale, API to export, side by side with dlt's ``rest_api``.

Not part of the product wheel (``pyproject.toml`` ships ``connectors`` and ``dagster_project``
only) and run from its own virtualenv (``.venv-bench``), so that dlt never becomes a dependency of
the product. The modules that do not import dlt are tested by ``make test`` (``tests/bench``).
"""
