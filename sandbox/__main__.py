"""``python -m sandbox``: serve the simulated HubSpot + Xero + ConnectWise PSA, or write the ground truth.

    python -m sandbox serve --port 8765 --seed 42 --scale 1 --as-of 2026-06-30
    python -m sandbox truth --seed 42 --scale 1 --as-of 2026-06-30 --out truth.json

``serve`` prints the URLs and the (throwaway, seed-derived) credentials as ``export`` lines to paste
into a shell or ``.env``, then serves until Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sandbox.clients import export_line
from sandbox.service.faults import FaultProfile
from sandbox.service.server import start_sandbox
from sandbox.simulation.business import write_truth
from sandbox.simulation.config import SandboxConfig


def _config(args: argparse.Namespace) -> SandboxConfig:
    options = {"seed": args.seed, "scale": args.scale, "history_years": args.history_years}
    if args.as_of is not None:
        options["as_of"] = args.as_of
    if args.timezone is not None:
        options["timezone"] = args.timezone
    return SandboxConfig(**options)


def _fault_profile(raw: str | None) -> FaultProfile | None:
    """``--faults`` takes the JSON profile inline or ``@path/to/profile.json``."""
    if raw is None:
        return None
    text = Path(raw[1:]).read_text() if raw.startswith("@") else raw
    return FaultProfile.model_validate_json(text)


def serve(args: argparse.Namespace) -> int:
    config = _config(args)
    sandbox = start_sandbox(config, host=args.host, port=args.port, faults=_fault_profile(args.faults))
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    print(
        f"# Milemarker sandbox (seed {config.seed}, scale {config.scale}, as of {config.as_of}) "
        f"on {sandbox.base_url} - Ctrl-C to stop"
    )
    for name, value in sandbox.env().items():
        print(export_line(name, value))
    sys.stdout.flush()
    try:
        stop.wait()
    finally:
        sandbox.stop()
    print("# sandbox stopped", flush=True)
    return 0


def truth(args: argparse.Namespace) -> int:
    config = _config(args)
    written = write_truth(config, args.out)
    print(f"# wrote the truth of seed {config.seed}, scale {config.scale}, as of {config.as_of} to {written}")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, run, help_text in (
        ("serve", serve, "serve the HubSpot, Xero and ConnectWise simulators on 127.0.0.1"),
        ("truth", truth, "write the simulated business's ground truth as JSON"),
    ):
        command = commands.add_parser(name, help=help_text)
        command.set_defaults(run=run)
        command.add_argument("--seed", type=int, default=42)
        command.add_argument("--scale", type=float, default=1.0)
        command.add_argument(
            "--as-of", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: today, UTC)"
        )
        command.add_argument("--history-years", type=int, default=3)
        command.add_argument("--timezone", default=None, help="IANA zone of the organisation")
    serve_command = commands.choices["serve"]
    serve_command.add_argument("--host", default="127.0.0.1")
    serve_command.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    serve_command.add_argument("--faults", default=None, help="fault profile JSON, or @file.json")
    commands.choices["truth"].add_argument("--out", type=Path, required=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
