"""``python -m dagster_project demo|dev``: see :mod:`dagster_project.cli.main`."""

from dagster_project.cli.main import main

raise SystemExit(main())
