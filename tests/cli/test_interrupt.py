"""Ctrl-C during a search: exit code 130, a one-line message, and nothing written."""

from __future__ import annotations

import pytest

from unlinkable.cli import main
from unlinkable.datasets import write_census_job


def test_interrupted_search_writes_nothing(tmp_path, monkeypatch, capsys):
    import unlinkable.anonymizer as anonymizer

    job = write_census_job(tmp_path, n=300, seed=2)

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(anonymizer.Anonymizer, "fit", interrupted)
    code = main(["anonymize", str(job), "--json", str(tmp_path / "out.json")])
    assert code == 130
    assert "nothing was written" in capsys.readouterr().err
    for name in ("census_anonymized.csv", "census_report.html", "out.json"):
        assert not (tmp_path / name).exists()
    assert not list(tmp_path.glob(".*.tmp"))
