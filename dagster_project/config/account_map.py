"""The account map (``dbt/seeds/account_map.csv``) checked the way a finance person edits it.

dbt's own tests on the seed catch a bad value too, but only after a build, and they name the value,
not where it is. This reads the file as written and names each problem by its line, with the
choices and a likely intended word ("line 12: cost_type 'labor' is not one of ...; did you mean
'labour'?"). The dbt build refuses to start on a map with problems, and ``milemarker doctor``
lists them.

The vocabularies here are the ones the seed's dbt tests accept (``dbt/seeds/_profitability__seeds.yml``)
and the finance marts read; ``docs/finance.md`` explains each word.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

from dagster_project.settings import DBT_PROJECT_DIR

ACCOUNT_MAP_PATH = DBT_PROJECT_DIR / "seeds" / "account_map.csv"
COLUMNS = ("account_type", "account_code", "account_name", "statement_line", "line_of_business", "cost_type")
VOCABULARY: dict[str, tuple[str, ...]] = {
    "statement_line": (
        "revenue",
        "other_income",
        "cost_of_sales",
        "operating_expenses",
        "depreciation_amortisation",
        "interest",
        "income_tax",
    ),
    "line_of_business": ("managed_services", "projects", "product_resale", "other", "shared"),
    "cost_type": (
        "revenue",
        "other_income",
        "labour",
        "tools_and_licences",
        "hardware_cogs",
        "subcontractors",
        "sales_and_marketing",
        "general_and_admin",
        "depreciation",
        "amortisation",
        "interest",
        "tax",
        "unclassified",
    ),
}
_ACCOUNT_TYPE = re.compile(r"^[A-Z]+$")


@dataclass(frozen=True)
class MapProblem:
    """One problem at one line of the file (line 1 is the header)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


def _unknown(column: str, value: str) -> str:
    choices = VOCABULARY[column]
    guess = difflib.get_close_matches(value, choices, n=1)
    hint = f"; did you mean {guess[0]!r}?" if guess else ""
    return f"{column} {value!r} is not one of {', '.join(choices)}{hint}"


def account_map_problems(path: Path = ACCOUNT_MAP_PATH) -> list[MapProblem]:
    """Every problem of the map at ``path``, in file order (empty: the map is sound)."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header) != COLUMNS:
            found = ",".join(header or [])
            return [MapProblem(1, f"the header must be {','.join(COLUMNS)}, found {found!r}")]
        problems: list[MapProblem] = []
        seen_codes: dict[str, int] = {}
        seen_types: dict[str, int] = {}
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(COLUMNS):
                problems.append(MapProblem(line, f"expected {len(COLUMNS)} values, found {len(row)}"))
                continue
            values = dict(zip(COLUMNS, (cell.strip() for cell in row), strict=True))
            problems += _row_problems(line, values, seen_codes, seen_types)
    return problems


def _row_problems(
    line: int, values: dict[str, str], seen_codes: dict[str, int], seen_types: dict[str, int]
) -> list[MapProblem]:
    problems = []
    account_type, code = values["account_type"], values["account_code"]
    if not _ACCOUNT_TYPE.match(account_type):
        problem = f"account_type {account_type!r} is not a Xero account type (e.g. REVENUE, OVERHEADS)"
        problems.append(MapProblem(line, problem))
    for column in VOCABULARY:
        if values[column] not in VOCABULARY[column]:
            problems.append(MapProblem(line, _unknown(column, values[column])))
    seen, key, what = (
        (seen_codes, code, f"account code {code!r}")
        if code
        else (
            seen_types,
            account_type,
            f"the fallback row of type {account_type!r}",
        )
    )
    if key in seen:
        problems.append(MapProblem(line, f"{what} is already mapped at line {seen[key]}"))
    else:
        seen[key] = line
    return problems
