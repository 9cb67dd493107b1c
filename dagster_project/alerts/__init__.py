"""Alerts: a failed or canceled run, a goal whose status changed, a data check that stopped passing.

Plain Python (no Dagster here): the sensors in ``dagster_project/defs/alerts.py`` read a finished
run from the instance, turn its check evaluations into :class:`~dagster_project.alerts.outcomes.CheckOutcome`
and call :func:`dagster_project.alerts.service.alert_on_run`. One module per job: the settings
block (``settings``), the alert itself (``events``) and how each kind is raised (``run_alerts``,
``goal_alerts``, ``quality_alerts``), what is remembered between ticks (``state``), how an alert
reads (``amounts``, ``messages``, ``payloads``), which values are secret (``secrets``), delivery
(``channels``), who gets what and when (``dispatch``), and the entry points (``service``;
``python -m dagster_project.alerts`` sends a test alert). docs/alerts.md is the user's guide.
"""
