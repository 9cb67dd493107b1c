"""Reading goals.yml: a size limit, no anchors or aliases, and one parse per version of the file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dagster_project.config import yaml_locations
from dagster_project.config.goals import load_goals, load_metric_catalog
from dagster_project.config.goals_source import MAX_GOALS_FILE_BYTES, GoalsFileError, read_goals_yaml
from dagster_project.config.organisation import load_organisation
from dagster_project.settings import DBT_PROJECT_DIR, SHIPPED_GOALS_FILE

CATALOG = load_metric_catalog(DBT_PROJECT_DIR / "seeds" / "goal_metrics.csv")

GOALS = """\
organisation: {timezone: Europe/London}
goals:
  - id: leads_monthly
    metric: leads
    period: {type: month, from: 2026-01}
    target: 60
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "goals.yml"
    path.write_text(text)
    return path


def alias_bomb(levels: int) -> str:
    """Each level lists the previous one twice: ``levels`` lines that expand to 2**levels leaves."""
    lines = ["organisation: {timezone: UTC}", "l0: &l0 [lol, lol]"]
    lines += [f"l{level}: &l{level} [*l{level - 1}, *l{level - 1}]" for level in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_at_its_first_anchor_without_expanding_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bounded by counting: walking the bomb's expansion would visit 2**10 nodes and more."""
    walk = yaml_locations._reject_duplicate_keys
    visits = 0

    def counted_walk(node: object, path: tuple[str | int, ...]) -> None:
        nonlocal visits
        visits += 1
        assert visits < 100, "the duplicate-key check is walking an alias's expansion"
        walk(node, path)

    monkeypatch.setattr(yaml_locations, "_reject_duplicate_keys", counted_walk)
    path = write(tmp_path, alias_bomb(9))

    for load in (lambda: load_goals(path, CATALOG), lambda: load_organisation(path)):
        with pytest.raises(GoalsFileError) as raised:
            load()
        (problem,) = raised.value.problems
        assert problem.line == 2
        assert "YAML anchor '&l0' is not allowed" in problem.message
        assert "goals.yml:2: YAML anchor" in str(raised.value)
    assert visits == 0


@pytest.mark.parametrize(
    ("text", "line", "refused"),
    [
        pytest.param(
            GOALS.replace("target: 60", "target: &sixty 60") + "    overrides: {2026-12: *sixty}\n",
            6,
            "anchor '&sixty'",
            id="anchor-and-alias",
        ),
        pytest.param(GOALS + "  - *leads\n", 7, "alias '*leads'", id="alias-without-anchor"),
    ],
)
def test_anchors_and_aliases_are_located_errors(tmp_path: Path, text: str, line: int, refused: str) -> None:
    with pytest.raises(GoalsFileError) as raised:
        load_goals(write(tmp_path, text), CATALOG)

    (problem,) = raised.value.problems
    assert (problem.line, problem.field) == (line, "")
    assert f"YAML {refused} is not allowed" in problem.message
    assert "write each value out where it is used" in problem.message


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = write(tmp_path, GOALS)
    padding = "#" * (MAX_GOALS_FILE_BYTES - len(GOALS) - 1) + "\n"
    path.write_text(GOALS + padding)
    assert path.stat().st_size == MAX_GOALS_FILE_BYTES
    assert load_goals(path, CATALOG).document.goals[0].id == "leads_monthly"  # at the limit: fine

    path.write_text(GOALS + "#" + padding)
    with pytest.raises(GoalsFileError) as raised:
        load_goals(path, CATALOG)

    assert f"{path} is not valid" in str(raised.value)
    assert "goals.yml:1: the file is larger than 1 MiB (1,048,576 bytes)" in str(raised.value)


def test_one_version_of_the_file_is_parsed_once_and_an_edit_is_read_afresh(tmp_path: Path) -> None:
    path = write(tmp_path, GOALS)

    first = read_goals_yaml(path)
    assert read_goals_yaml(path) is first
    assert read_goals_yaml(tmp_path / "." / "goals.yml") is first  # keyed on the resolved path

    path.write_text(GOALS.replace("Europe/London", "Europe/Paris"))
    assert read_goals_yaml(path).data["organisation"] == {"timezone": "Europe/Paris"}
    assert load_organisation(path).timezone == "Europe/Paris"


def test_plain_yaml_reads_as_pyyaml_safe_load_reads_it() -> None:
    """The libyaml event source with our composer must construct what ``yaml.safe_load`` does."""
    assert read_goals_yaml(SHIPPED_GOALS_FILE).data == yaml.safe_load(SHIPPED_GOALS_FILE.read_text())
