"""assess() against ARX 3.9.2's risk analysis of the unmodified data (reference/arx/*.json)."""

from __future__ import annotations

import pytest

import unlinkable


def _entries(arx_reference):
    for dataset, ref in arx_reference.items():
        for entry in ref["risk_original"]:
            yield dataset, entry


def _cases():
    # Parametrised lazily from the files (conftest skips when ../shared is absent).
    import json
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "arx"
    if not folder.exists():
        return [pytest.param(None, None, marks=pytest.mark.skip(reason="../shared is absent"))]
    out = []
    for p in sorted(folder.glob("*.json")):
        ref = json.loads(p.read_text())
        for i, entry in enumerate(ref["risk_original"]):
            for j, _pop in enumerate(entry["population_uniqueness"]):
                out.append(pytest.param(p.stem, (i, j), id=f"{entry['id']}-pop{j}"))
    return out


@pytest.mark.parametrize("dataset, index", _cases())
def test_assess_matches_arx(arx_data, arx_reference, dataset, index, any_backend):
    # the same reference figures from every backend (numpy, and Spark on local[2])
    i, j = index
    entry = arx_reference[dataset]["risk_original"][i]
    pop = entry["population_uniqueness"][j]
    result = unlinkable.assess(
        arx_data / dataset / f"{dataset}.csv",
        quasi_identifiers=entry["quasi_identifiers"],
        population_size=pop["population_size"] if j == 0 else None,
        sampling_fraction=pop["sampling_fraction"] if j > 0 else None,
        suda2=False,
        max_subset_size=1,
        backend=any_backend,
    ).to_dict()
    assert result["records"] == entry["records"]
    ec = entry["equivalence_classes"]
    assert result["equivalence_classes"]["count"] == ec["count"]
    assert result["equivalence_classes"]["mean_size"] == ec["avg_size"]
    assert result["equivalence_classes"]["size_histogram"] == ec["size_histogram"]
    srr = entry["sample_reidentification_risk"]
    assert result["prosecutor"]["highest_risk"] == srr["highest_risk"]
    assert result["prosecutor"]["average_risk"] == srr["average_risk"]
    assert result["prosecutor"]["lowest_risk"] == srr["lowest_risk"]
    assert result["prosecutor"]["records_at_highest_risk"] == srr["fraction_records_affected_by_highest_risk"]
    ps = entry["prosecutor_summary"]
    assert result["prosecutor"]["records_at_risk"] == ps["records_at_risk"]
    assert result["prosecutor"]["threshold"] == ps["threshold"]
    js = entry["journalist_summary"]
    assert result["journalist"]["records_at_risk"] == js["records_at_risk"]
    assert result["journalist"]["highest_risk"] == js["highest_risk"]
    assert result["marketer"]["average_risk"] == entry["marketer_summary_success_rate"]
    assert result["sample_uniques"] == entry["sample_uniques"]["fraction"]
    pu = result["population_uniques"]
    assert pu["population_size"] == pop["population_size"]
    for name in ("pitman", "zayatz", "snb", "dankar"):
        if pop[name]["available"]:
            assert pu[name] == pop[name]["fraction_unique_in_population"], name
        else:
            assert pu[name] is None, name
    assert pu["dankar_model"] == pop["dankar_selected_model"]
