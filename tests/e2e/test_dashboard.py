"""The dashboard, end to end: a Dagster run's exports equal its marts, and Chromium shows the same numbers.

One module-scoped run materializes every asset (sandbox -> raw -> dbt -> exports) into a
temporary data directory. The tests then hold every exported file to its mart in the warehouse
(read back with pyarrow and with DuckDB), build the Evidence site from those exports in a scratch
copy of reports/ (sharing its node_modules), serve it on 127.0.0.1, load each page in headless
Chromium and compare what the page shows with the marts. Screenshots of every page are kept in
reports/test-artifacts/ (git-ignored).

Needs ``make dashboard-deps`` (Evidence's node modules and Debian's chromium); ``make test`` runs it.
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pyarrow.parquet as pq
import pytest
from goals_for_business import goals_file_for

from dagster_project.definitions import defs as load_definitions
from dagster_project.defs.resources import CREDENTIAL_VARS
from dagster_project.settings import REPO_ROOT
from dagster_project.warehouse.exports import MANIFEST_FILE, published
from sandbox.simulation.config import SandboxConfig

pytestmark = pytest.mark.slow

SANDBOX = SandboxConfig(seed=7, scale=0.2, as_of=date(2026, 11, 23))
REPORTS = REPO_ROOT / "reports"
SITE_FILES = ("package.json", "evidence.config.yaml", "evidence.settings.json", "pages", "sources")
ARTIFACTS = REPORTS / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--window-size=1280,3600",
    # Without it the page is captured before the charts are drawn (only prerendered values show).
    "--virtual-time-budget=20000",
)
BUILD_TIMEOUT_S = 900


@dataclass(frozen=True)
class Exported:
    warehouse: Path
    exports: Path
    result: dg.ExecuteInProcessResult

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql).fetchall()

    def manifest(self) -> dict[str, Any]:
        return json.loads((self.exports / MANIFEST_FILE).read_text())


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exported]:
    """Every asset materialized once against the sandbox, exports included."""
    data_dir = tmp_path_factory.mktemp("milemarker-dashboard")
    with pytest.MonkeyPatch.context() as env:
        for name in CREDENTIAL_VARS:
            env.delenv(name, raising=False)
        env.delenv("MILEMARKER_EXPORT_DIR", raising=False)
        env.setenv("MILEMARKER_DATA_DIR", str(data_dir))
        env.setenv("MILEMARKER_DUCKDB", str(data_dir / "warehouse.duckdb"))
        env.setenv("MILEMARKER_SANDBOX_SEED", str(SANDBOX.seed))
        env.setenv("MILEMARKER_SANDBOX_SCALE", str(SANDBOX.scale))
        env.setenv("MILEMARKER_SANDBOX_AS_OF", SANDBOX.as_of.isoformat())
        env.setenv("MILEMARKER_GOALS_FILE", str(goals_file_for(SANDBOX, data_dir)))
        job = load_definitions().resolve_implicit_global_asset_job_def()
        result = job.execute_in_process(
            instance=dg.DagsterInstance.ephemeral(),
            run_config={"ops": {"milemarker_dbt": {"config": {"as_of_date": SANDBOX.as_of.isoformat()}}}},
            raise_on_error=False,
        )
    yield Exported(data_dir / "warehouse.duckdb", published(data_dir / "exports"), result)


def test_the_run_succeeds_and_exports_every_mart(exported: Exported) -> None:
    assert exported.result.success, [e.event_specific_data for e in exported.result.get_step_failure_events()]
    marts = exported.query("select table_name from information_schema.tables where table_schema = 'marts'")
    assert sorted(entry["mart"] for entry in exported.manifest()["marts"]) == sorted(
        name for (name,) in marts
    )


def warehouse_rows(exported: Exported, relation: str) -> list[tuple[Any, ...]]:
    """The mart's rows as the export must carry them: money (DECIMAL) as the double nearest to it."""
    rows = exported.query(f"select * from {relation}")
    return [tuple(float(v) if isinstance(v, Decimal) else v for v in row) for row in rows]


def as_sorted(rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted(rows, key=lambda row: tuple((value is None, str(value)) for value in row))


def test_every_export_equals_its_mart_read_with_pyarrow_and_with_duckdb(exported: Exported) -> None:
    for entry in exported.manifest()["marts"]:
        path = exported.exports / entry["path"]
        expected = as_sorted(warehouse_rows(exported, entry["relation"]))
        described = exported.query(f"select column_name, column_type from (describe {entry['relation']})")
        policy = [(name, "DOUBLE" if dtype.startswith("DECIMAL") else dtype) for name, dtype in described]

        table = pq.read_table(path)
        assert [(c["name"], c["type"]) for c in entry["columns"]] == [
            (f.name, str(f.type)) for f in table.schema
        ]
        assert table.num_rows == entry["rows"] == len(expected), entry["mart"]
        assert as_sorted([tuple(row.values()) for row in table.to_pylist()]) == expected, entry["mart"]

        with duckdb.connect() as con:
            read_back = con.sql(f"from read_parquet('{path}')")
            types = [(n, str(t)) for n, t in zip(read_back.columns, read_back.types, strict=True)]
            assert types == policy, entry["mart"]
            assert as_sorted(read_back.fetchall()) == expected, entry["mart"]


def test_the_manifest_names_the_dbt_run_that_built_the_marts(exported: Exported) -> None:
    invocations = {
        str(event.step_materialization_data.materialization.metadata["invocation_id"].value)
        for event in exported.result.get_asset_materialization_events()
        if event.asset_key.path[0] == "marts"
    }
    assert len(invocations) == 1
    entries = exported.manifest()["marts"]
    assert {(e["dbt_invocation_id"], e["as_of_date"]) for e in entries} == {
        (invocations.pop(), SANDBOX.as_of.isoformat())
    }


# --- the Evidence site ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(exported: Exported, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The Evidence site built from the run's exports and served on 127.0.0.1; yields its base URL."""
    node_modules = REPORTS / "node_modules"
    if not node_modules.is_dir() or not CHROMIUM.exists():
        pytest.fail(
            "the dashboard test needs `make dashboard-deps` (node modules and chromium)", pytrace=False
        )
    project = tmp_path_factory.mktemp("evidence")
    for name in SITE_FILES:
        copy = shutil.copytree if (REPORTS / name).is_dir() else shutil.copy
        copy(REPORTS / name, project / name)
    (project / "node_modules").symlink_to(node_modules)
    (project / "exports").symlink_to(exported.exports)
    for step in (["npm", "run", "sources", "--", "--strict"], ["npm", "run", "build:strict"]):
        done = subprocess.run(step, cwd=project, capture_output=True, text=True, timeout=BUILD_TIMEOUT_S)
        assert done.returncode == 0, f"{' '.join(step)} failed:\n{(done.stdout + done.stderr)[-6000:]}"
    handler = functools.partial(QuietHandler, directory=str(project / "build"))
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}"
        server.shutdown()
        thread.join()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Requests are not news; failures surface as assertions."""


@dataclass(frozen=True)
class Page:
    """A loaded page: its tables (header -> cells per row), BigValues, and how many charts drew."""

    tables: list[list[dict[str, str]]]
    big_values: dict[str, str]
    charts: int
    text: str

    def row(self, column: str, value: str) -> dict[str, str]:
        """The first table row whose ``column`` shows ``value``."""
        for table in self.tables:
            for row in table:
                if row.get(column) == value:
                    return row
        raise AssertionError(f"no table row with {column} = {value!r}")


class DomReader(HTMLParser):
    """Reads a dumped DOM: table rows, BigValue title/value pairs, and ECharts charts that drew."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[list[tuple[str, str]]]] = []  # per table, per row: (td | th, text)
        self.cell: list[str] | None = None
        self.capture: tuple[str, list[str]] | None = None  # ("title" | "value", text)
        self.titles: list[str] = []
        self.values: list[str] = []
        self.in_chart = False
        self.charts = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        if tag == "table":
            self.rows.append([])
        elif tag == "tr" and self.rows:
            self.rows[-1].append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "p" and {"text-sm", "align-top", "leading-none"} <= classes:
            self.capture = ("title", [])
        elif tag == "div" and {"relative", "text-xl", "font-medium"} <= classes:
            self.capture = ("value", [])
        elif "_echarts_instance_" in attributes:
            self.in_chart = True
        elif tag == "canvas" and self.in_chart:
            self.in_chart = False
            self.charts += int(attributes.get("width") or 0) > 0 and int(attributes.get("height") or 0) > 0

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None and self.rows:
            self.rows[-1][-1].append((tag, " ".join("".join(self.cell).split())))
            self.cell = None
        elif self.capture and tag == ("p" if self.capture[0] == "title" else "span"):
            kind, parts = self.capture
            (self.titles if kind == "title" else self.values).append(" ".join("".join(parts).split()))
            self.capture = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
        if self.capture:
            self.capture[1].append(data)
        self.text.append(data)

    def page(self) -> Page:
        return Page(
            tables=[table_rows(rows) for rows in self.rows],
            big_values=dict(zip(self.titles, self.values, strict=True)),
            charts=self.charts,
            text=" ".join(" ".join(self.text).split()),
        )


def table_rows(rows: list[list[tuple[str, str]]]) -> list[dict[str, str]]:
    """A table's body rows keyed by its column titles (the last header row that has text)."""
    headers = [[text for _, text in row] for row in rows if row and all(tag == "th" for tag, _ in row)]
    titles = next((header for header in reversed(headers) if any(header)), [])
    body = [row for row in rows if row and any(tag == "td" for tag, _ in row)]
    return [dict(zip(titles, (text for _, text in row), strict=False)) for row in body]


def chromium(url: str, *args: str, user_data: Path) -> str:
    done = subprocess.run(
        [str(CHROMIUM), *CHROMIUM_FLAGS, f"--user-data-dir={user_data}", *args, url],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def load(site: str, path: str, name: str, tmp_path: Path) -> Page:
    """Load ``path`` in headless Chromium: keep a screenshot, return the rendered DOM read."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    chromium(f"{site}/{path}", f"--screenshot={ARTIFACTS / f'{name}.png'}", user_data=tmp_path / "shot")
    reader = DomReader()
    reader.feed(chromium(f"{site}/{path}", "--dump-dom", user_data=tmp_path / "dom"))
    return reader.page()


NUMBER = re.compile(r"-?\$?-?[\d,]+(\.\d+)?%?")


def shown(text: str) -> float:
    """A number as a page shows it (``$1,234``, ``35.0%``, ``-$71``, ``12``) as a float."""
    assert NUMBER.fullmatch(text), f"not a number: {text!r}"
    value = float(text.replace("$", "").replace(",", "").replace("%", ""))
    return value / 100 if text.endswith("%") else value


def assert_shows(text: str, value: float, step: float) -> None:
    """``text`` shows ``value`` rounded to ``step`` (1 for whole numbers, 0.001 for a 0.1 % rate)."""
    assert abs(shown(text) - value) <= step / 2 + 1e-9, f"page shows {text}, mart holds {value}"


STATUS_LABELS = {
    "achieved": "Achieved",
    "ahead": "Ahead",
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
    "not_assessed": "Not assessed",
}
UNIT_STEP = {"money": 1.0, "count": 1.0, "rate": 0.001}
"""The rounding each unit is shown with (usd0, num0, pct1)."""


def month_label(day: date) -> str:
    return day.strftime("%b %Y")


def test_the_goals_page_shows_each_goals_status_and_projected_finish(
    site: str, exported: Exported, tmp_path: Path
) -> None:
    page = load(site, "", "goals", tmp_path)
    goals = exported.query(
        "select goal_name || coalesce(' (' || coalesce(reps.owner_name, owner_key) || ')', ''), status, "
        "metric_unit, target, actual_to_date, projected_finish, projected_attainment "
        "from marts.mart_goal_status "
        "left join (select owner_id, owner_name from marts.dim_owner) as reps using (owner_id)"
    )
    assert len({name for name, *_ in goals}) == len(goals), "each goal line is named apart, reps included"
    assert goals, "the sandbox's goals.yml should give the pacing mart rows"
    statuses = [status for _, status, *_ in goals]
    assert page.big_values["Goals"] == str(len(goals))
    assert page.big_values["Off track"] == str(statuses.count("off_track"))
    assert page.big_values["At risk"] == str(statuses.count("at_risk"))
    for name, status, unit, target, actual, projected, attainment in goals:
        row = page.row("Goal", name)
        assert row["Status"] == STATUS_LABELS[status], name
        assert_shows(row["Target"], target, UNIT_STEP[unit])
        assert_shows(row["Actual"], actual, UNIT_STEP[unit])
        assert_shows(row["Projected finish"], projected, UNIT_STEP[unit])
        assert_shows(row["Attainment"], attainment, 0.01)
    assert page.charts == 5  # pace, attainment, pacing history, revenue and bookings forecast


def test_the_funnel_page_shows_this_months_sales(site: str, exported: Exported, tmp_path: Path) -> None:
    page = load(site, "funnel", "funnel", tmp_path)
    [(deals_won, won_amount)] = exported.query(
        "select deals_won, won_amount from marts.mart_sales_kpis_monthly "
        "where breakdown = 'all' order by month_start desc limit 1"
    )
    assert page.big_values["Deals won"] == str(deals_won)
    assert_shows(page.big_values["Won amount"], float(won_amount), 1)
    [(rep_goals,)] = exported.query("select count(*) from marts.mart_goal_status where owner_key is not null")
    # conversion, funnel, velocity, deals won, weekly activity; and reps' attainment when goals.yml has some
    assert page.charts == 5 + (rep_goals > 0)
    reps = exported.query(
        "select distinct o.owner_name from marts.fct_sales_activity_weekly "
        "join marts.dim_owner as o using (owner_id) where week_start >= "
        "(select max(week_start) from marts.fct_sales_activity_weekly) - interval 84 day"
    )
    for (rep,) in reps:
        page.row("Rep", rep)


def test_the_profitability_page_shows_the_pnl_and_mrr(site: str, exported: Exported, tmp_path: Path) -> None:
    page = load(site, "profitability", "profitability", tmp_path)
    [(month, revenue, net_profit)] = exported.query(
        "select month_start, revenue, net_profit from marts.fct_pnl_monthly order by month_start desc limit 1"
    )
    pnl = page.row("Month", month_label(month))
    assert_shows(pnl["Revenue"], float(revenue), 1)
    assert_shows(pnl["Net profit"], float(net_profit), 1)
    [(mrr_month, ending_mrr)] = exported.query(
        "select month_start, ending_mrr from marts.mart_mrr_movements_monthly "
        "order by month_start desc limit 1"
    )
    mrr = next(row for table in page.tables for row in table if "Ending MRR" in row)
    assert mrr["Month"] == month_label(mrr_month)
    assert_shows(mrr["Ending MRR"], float(ending_mrr), 1)
    [(top_client,)] = exported.query(
        "select client_name from marts.mart_client_lifetime_value "
        "order by predicted_lifetime_gross_margin desc nulls last, client_name limit 1"
    )
    assert page.row("Client", top_client)
    [(line, line_margin)] = exported.query(
        "select line_of_business, sum(gross_margin) from marts.fct_gross_margin_by_line_monthly "
        "where line_of_business = 'managed_services' and month_start > "
        "(select max(month_start) from marts.fct_gross_margin_by_line_monthly) - interval 12 month group by 1"
    )
    assert_shows(page.row("Line of business", line)["Gross margin"], float(line_margin), 1)
    [(kpi_month, ebitda)] = exported.query(
        "select month_start, ebitda from marts.mart_finance_kpis_monthly order by month_start desc limit 1"
    )
    kpis = next(row for table in page.tables for row in table if "EBITDA" in row)
    assert kpis["Month"] == month_label(kpi_month)
    assert_shows(kpis["EBITDA"], float(ebitda), 1)
    [(least, contribution, hours)] = exported.query(
        """
        with as_of as (select max(month_start) as month_start from marts.mart_client_contribution_monthly)
        select coalesce(client_name, client_id), sum(contribution), sum(labour_hours)
        from marts.mart_client_contribution_monthly as clients, as_of
        where clients.month_start >= as_of.month_start - interval 3 month
            and clients.month_start < as_of.month_start
        group by client_id, client_name
        order by sum(contribution), 1
        limit 1
        """
    )
    shown = next(
        row for table in page.tables for row in table if row.get("Client") == least and "Contribution" in row
    )
    assert_shows(shown["Contribution"], float(contribution), 1)
    assert float(shown["Hours"].replace(",", "")) == pytest.approx(hours, abs=0.0501)  # one decimal shown
    # P&L, margin rates, lines of business, client contribution, top clients, revenue by lead source,
    # MRR movements, MRR
    assert page.charts == 8


def rate_shown(text: str, numerator: int, denominator: int) -> None:
    """A rate as the weekly report shows it: one decimal, or ``n = <denominator>`` below 5."""
    if denominator < 5:
        assert text == f"n = {denominator}"
    else:
        assert_shows(text, numerator / denominator, 0.001)


def test_the_weekly_report_shows_the_latest_complete_week_and_each_rep(
    site: str, exported: Exported, tmp_path: Path
) -> None:
    page = load(site, "weekly-report", "weekly-report", tmp_path)
    export = exported.exports / "mart_pipeline_weekly.parquet"
    with duckdb.connect() as con:
        [(week, leads, qualified, won, lost, close_rate, trailing_close_rate, trailing_closed)] = con.execute(
            "select week_start, leads, qualified_leads, deals_won, deals_lost, close_rate, "
            "trailing_close_rate, sum(deals_won + deals_lost) over (order by week_start "
            "rows between 8 preceding and 1 preceding) "
            "from read_parquet(?) where breakdown = 'all' qualify not is_partial_week "
            "order by week_start desc limit 1",
            [str(export)],
        ).fetchall()
        weeks = con.execute(
            "select count(*) from read_parquet(?) where breakdown = 'all' and not is_partial_week "
            "and week_start > ?::date - interval 56 day",
            [str(export), week],
        ).fetchone()
    assert week < SANDBOX.as_of <= week + timedelta(days=13), "the as-of week is partial and left out"
    latest = page.row("Week", f"{week:%b} {week.day}, {week.year}")
    assert latest["Leads"] == str(leads)
    rate_shown(latest["% qualified"], qualified, leads)
    rate_shown(latest["Close rate"], won, won + lost)
    if won + lost >= 5:
        assert_shows(latest["Close rate"], close_rate, 0.001)
    assert len(next(t for t in page.tables if t and "Week" in t[0])) == weeks[0] == 8
    against_trailing = page.row("Step", "Close rate")
    rate_shown(against_trailing["Latest week"], won, won + lost)
    if trailing_closed >= 5:  # the sandbox's weeks are small: one of these two shows a percentage
        assert_shows(against_trailing["Trailing 8 weeks"], trailing_close_rate, 0.001)
    assert won + lost >= 5 or trailing_closed >= 5
    assert page.charts == 1  # the four conversion rates by week

    reps = exported.query(
        f"""
        select
            case when p.breakdown_value = 'unassigned' then 'Unassigned'
                else coalesce(o.owner_name, 'Owner ' || p.breakdown_value) end as rep,
            sum(p.leads) filter (where p.week_start = date '{week}'),
            sum(p.leads)
        from marts.mart_pipeline_weekly as p
        left join marts.dim_owner as o on cast(o.owner_id as varchar) = p.breakdown_value
        where p.breakdown = 'owner' and p.week_start > date '{week}' - interval 56 day
            and p.week_start <= date '{week}'
        group by 1
        having sum(p.leads + p.qualified_leads + p.first_appointments + p.proposals
            + p.deals_won + p.deals_lost) > 0
        """
    )
    assert any(not rep.startswith(("Owner ", "Unassigned")) for rep, *_ in reps), "reps are named"
    rep_tables = [t for t in page.tables if t and "Rep" in t[0]]
    # A DataTable is drawn twice in the DOM; the two distinct tables are the latest week and 8 weeks.
    latest_table, eight_weeks = [t for i, t in enumerate(rep_tables) if t not in rep_tables[:i]]
    assert {row["Rep"]: row["Leads"] for row in latest_table} == {rep: f"{n:,}" for rep, n, _ in reps}
    assert {row["Rep"]: row["Leads"] for row in eight_weeks} == {rep: f"{n:,}" for rep, _, n in reps}
