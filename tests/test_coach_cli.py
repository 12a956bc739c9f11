"""`gofirst coach ...` through typer's CliRunner, on an app the coach registers itself into."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bot.cli.coach import register

runner = CliRunner()


@pytest.fixture
def app() -> typer.Typer:
    main = typer.Typer()

    @main.callback()
    def _root() -> None:
        """Root."""

    register(main)
    return main


def test_check_json_for_one_text(app: typer.Typer) -> None:
    result = runner.invoke(app, ["coach", "check", "--json", "Everyone must post updates in the channel from Monday"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"directive", "findings", "suggestion"}
    assert data["directive"] is True
    phrase = next(f for f in data["findings"] if f["kind"] == "directive_phrase")
    assert (phrase["start"], phrase["end"], phrase["text"]) == (0, 13, "Everyone must")
    assert data["suggestion"] == "I'm trying to post my updates in the channel from Monday."
    assert all(set(f) == {"kind", "start", "end", "text", "why", "field"} for f in data["findings"])
    assert len(data["findings"]) <= 3 and phrase["field"] == "try"


def test_check_json_says_null_when_no_clean_rewrite_and_takes_a_locale(app: typer.Typer) -> None:
    result = runner.invoke(app, ["coach", "check", "--json", "Updates not in by Thursday won't make the report."])
    data = json.loads(result.output)
    assert data["directive"] is True and data["suggestion"] is None
    assert "no_clean_rewrite" in [f["kind"] for f in data["findings"]]
    german = json.loads(runner.invoke(app, ["coach", "check", "--json", "--locale", "de",
                                            "Alle müssen ihre Updates im Kanal posten."]).output)
    assert set(german) == {"directive", "findings", "suggestion"}
    assert german["directive"] is True and german["findings"][0]["text"] == "Alle müssen"
    assert german["suggestion"] == "Ich versuche, meine Updates im Kanal zu posten."
    whys = " ".join(f["why"] for f in german["findings"])
    assert "Hindernis" in whys and "barrier" not in whys  # German copy, not the English fallback


def test_check_reads_one_text_per_line_from_stdin(app: typer.Typer) -> None:
    stdin = "You don't have to post anything.\n\nMake sure you update the tracker.\n"
    result = runner.invoke(app, ["coach", "check", "--json"], input=stdin)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["directive"] for line in lines] == [False, True]


def test_check_human_output_shows_spans_whys_and_suggestion(app: typer.Typer) -> None:
    result = runner.invoke(app, ["coach", "check", "Post your wins in #kudos every Friday."])
    assert result.exit_code == 0
    assert result.output.startswith("DIRECTIVE: Post your wins")
    assert 'imperative [try] at 0-4 "Post"' in result.output
    assert "missing_barrier [barrier] at whole draft" in result.output
    assert "…" not in result.output
    assert "suggestion: I'm trying to post my wins in #kudos every Friday." in result.output


def test_themes_json_and_human(app: typer.Typer) -> None:
    result = runner.invoke(app, ["coach", "themes", "--json"], input="No time, and IT blocks the app.\nLove it!\n")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert set(rows[0]["themes"]) == {"time", "it_access"} and rows[1] == {"themes": ["other"]}
    human = runner.invoke(app, ["coach", "themes", "My boss wants to approve every post."])
    assert human.output.startswith("control (Control or permission): My boss")


def test_eval_prints_scores_per_locale_split_and_kind(app: typer.Typer) -> None:
    result = runner.invoke(app, ["coach", "eval", "--json"])
    assert result.exit_code == 0, result.output
    rows = list(map(json.loads, result.output.splitlines()))
    scores = {(r["locale"], r["task"], r["split"]) for r in rows if r["task"] in ("directive", "themes")}
    assert scores == {(loc, task, split) for loc in ("en", "de") for task in ("directive", "themes")
                      for split in ("dev", "test")}
    kinds = {(r["locale"], r["kind"]) for r in rows if r["task"] == "kind"}
    for kind in ("passive", "wish", "authority", "expectation", "consequence", "decision", "polite", "process", "blame"):
        assert ("en", kind) in kinds and ("de", kind) in kinds
    assert all(r["split"] == "test" for r in rows if r["task"] in ("kind", "rewrite"))
    themes = {(r["locale"], r["task"]) for r in rows if r["task"].startswith("theme:")}
    assert {(loc, f"theme:{t}") for loc in ("en", "de") for t in ("time", "fear", "policy", "it_access")} <= themes
    rewrites = {(r["locale"], r["kind"]): r for r in rows if r["task"] == "rewrite"}
    for loc in ("en", "de"):
        total = rewrites[(loc, "all")]
        assert total["detected"] == sum(r["detected"] for (lo, k), r in rewrites.items() if lo == loc and k != "all")
        assert rewrites[(loc, "wish")]["passing"] > 0 and rewrites[(loc, "blame")]["passing"] == 0
    assert all(0.0 <= r["f1"] <= 1.0 and r["n"] > 0 for r in rows if "f1" in r)
    table = runner.invoke(app, ["coach", "eval", "--locale", "en"]).output
    assert "precision" in table and "recall" in table and "F1" in table and "[de]" not in table
    assert "held-out replies by theme" in table and "held-out rewrites by kind" in table


def test_eval_on_a_tiny_folder_counts_errors(app: typer.Typer, tmp_path: Path) -> None:
    (tmp_path / "directives.jsonl").write_text(
        json.dumps({"text": "Everyone must post.", "directive": True, "split": "test"}) + "\n"
        + json.dumps({"text": "I'm trying to post.", "directive": True, "split": "test"}) + "\n"
    )
    (tmp_path / "themes.jsonl").write_text(json.dumps({"text": "No time.", "themes": ["time"], "split": "test"}) + "\n")
    out = runner.invoke(app, ["coach", "eval", "--json", "--data", str(tmp_path)]).output
    rows = [json.loads(x) for x in out.splitlines()]
    directive_test = next(r for r in rows if r["task"] == "directive" and r["split"] == "test")
    assert (directive_test["precision"], directive_test["recall"]) == (1.0, 0.5)


def test_eval_missing_data_is_a_clear_error(app: typer.Typer, tmp_path: Path) -> None:
    result = runner.invoke(app, ["coach", "eval", "--data", str(tmp_path)])
    assert result.exit_code == 2 and "Fix:" in result.output


@pytest.mark.parametrize("command, words", [("check", "stdin"), ("themes", "it_access"), ("eval", "F1")])
def test_help_is_complete(app: typer.Typer, command: str, words: str) -> None:
    result = runner.invoke(app, ["coach", command, "--help"])
    assert result.exit_code == 0
    assert words in result.output and "--json" in result.output
