"""Milemarker's commands: ``demo`` (one full run, summarised), ``dev`` (the Dagster UI for development),
``serve`` (the UI and the daemon the production way), ``status``
(the goals and their checks, from the existing warehouse), ``digest`` (the morning digest and the
weekly pipeline report: previewed, or sent now), ``connect hubspot|xero`` (a first
connection to a real portal or organisation; ``xero --custom-connection`` for a Xero Custom
Connection) and ``doctor`` (is everything a run needs in place)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from typing import NoReturn

from connectors.xero.client import READ_SCOPES as XERO_SCOPES
from dagster_project.cli.instance import Storage, ensure_dagster_home
from dagster_project.settings import REPO_ROOT


def run_dev() -> NoReturn:
    """Replace this process with ``dagster dev`` on the shared instance (signals go straight to it).

    SIGINT is reset first: a shell that starts us in the background ignores it, the ignore would
    survive ``exec``, and ``dagster dev`` would then only stop with SIGKILL.
    """
    ensure_dagster_home()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    dagster = Path(sys.executable).with_name("dagster")
    os.chdir(REPO_ROOT)
    os.execv(dagster, [str(dagster), "dev", "-w", str(REPO_ROOT / "workspace.yaml")])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="milemarker", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("demo", "one full run against the sandbox, summarised"),
        ("dev", "the Dagster UI on http://127.0.0.1:3000 (development: dagster dev)"),
        ("status", "the goals and their checks, from the existing warehouse"),
        ("doctor", "check both connections, the stage mapping, the warehouse and Dagster's home"),
    ):
        commands.add_parser(name, help=text)
    digest = commands.add_parser(
        "digest",
        help="the morning digest and the weekly pipeline report from the last run: --preview or send now",
    )
    digest.add_argument(
        "--preview", action="store_true", help="write them to files and print them; send nothing"
    )
    digest.add_argument(
        "--weekly",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="include (or with --no-weekly leave out) the weekly report; default: preview both, "
        "send the weekly report only on its weekday",
    )
    digest.add_argument("--out", type=Path, help="the preview's directory (default: data/digest-preview)")
    serve = commands.add_parser(
        "serve",
        help="production: dagster-webserver and dagster-daemon on the shared instance (docs/deploy.md)",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="the UI's address (default: 127.0.0.1, this machine only)"
    )
    serve.add_argument("--port", type=int, default=3000, help="the UI's port (default: 3000)")
    serve.add_argument(
        "--storage",
        choices=[storage.value for storage in Storage],
        help="run history in SQLite under DAGSTER_HOME or in PostgreSQL (MILEMARKER_PG_* variables); "
        "default: what the instance already uses, SQLite for a new one",
    )
    connect = commands.add_parser("connect", help="connect a real HubSpot portal or Xero organisation")
    vendors = connect.add_subparsers(dest="vendor", required=True)
    hubspot = vendors.add_parser("hubspot", help="check a private-app token: scopes, properties, pipelines")
    hubspot.add_argument("--token", help="the private app's token (default: HUBSPOT_ACCESS_TOKEN)")
    xero = vendors.add_parser(
        "xero", help="authorise the Xero app in the browser and store its refresh token"
    )
    xero.add_argument(
        "--port", type=int, default=8765, help="callback port (redirect URI http://127.0.0.1:PORT/callback)"
    )
    xero.add_argument("--tenant", help="the organisation's tenant id, when the app reaches several")
    xero.add_argument(
        "--scopes",
        default=XERO_SCOPES,
        help=f"space-separated scopes to ask for (default: {XERO_SCOPES}; see docs/connect.md for apps "
        "created after 2 March 2026)",
    )
    xero.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for the browser")
    custom = xero.add_argument_group(
        "custom connection", "a Xero Custom Connection (client_credentials: no browser, no refresh token)"
    )
    custom.add_argument(
        "--custom-connection",
        action="store_true",
        help="get a token with the client id and secret alone and name the organisation they reach",
    )
    custom.add_argument("--client-id", help="the custom connection's client id (default: XERO_CLIENT_ID)")
    custom.add_argument(
        "--client-secret",
        help="its client secret (default: XERO_CLIENT_SECRET, which keeps it out of the shell history)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "dev":
        return run_dev()
    if args.command == "serve":
        from dagster_project.cli.serve import run_serve

        return run_serve(
            host=args.host, port=args.port, storage=Storage(args.storage) if args.storage else None
        )
    if args.command == "status":
        from dagster_project.cli.status import run_status

        return run_status()
    if args.command == "digest":
        from dagster_project.cli.digest import run_digest

        weekly = True if args.preview and args.weekly is None else args.weekly
        return run_digest(preview=args.preview, weekly=weekly, out=args.out)
    if args.command == "doctor":
        from dagster_project.cli.doctor import run_doctor

        return run_doctor()
    if args.command == "connect":
        from dagster_project.cli.connect import connect_hubspot, connect_xero, connect_xero_custom

        if args.vendor == "hubspot":
            return connect_hubspot(token=args.token)
        if args.custom_connection:
            return connect_xero_custom(
                client_id=args.client_id, client_secret=args.client_secret, tenant=args.tenant
            )
        return connect_xero(port=args.port, tenant=args.tenant, scopes=args.scopes, timeout=args.timeout)
    from dagster_project.cli.demo import run_demo  # imports Dagster: only when needed

    return run_demo()
