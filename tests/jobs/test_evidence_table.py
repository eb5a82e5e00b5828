"""Each pair of members' best pairs of messages, chosen in passes over arrays and held as arrays."""

from __future__ import annotations

import numpy as np
import pytest

from jobs.evidence_table import Evidence, EvidenceTable, best_apart


def one_by_one(
    owners: np.ndarray,
    rows: np.ndarray,
    columns: np.ndarray,
    excess: np.ndarray,
    wanted: int,
    when: np.ndarray,
    apart: float,
) -> dict[tuple[int, int], tuple[Evidence, ...]]:
    """The plain rule: candidates best first, each kept when it fits the pair's kept ones."""
    found: dict[tuple[int, int], list[Evidence]] = {}
    per_pair: dict[tuple[int, int], int] = {}
    pair_of = [
        (min(owners[r], owners[c]), max(owners[r], owners[c]))
        for r, c in zip(rows, columns, strict=True)
    ]
    # best first; among equals, by pair, then as given
    order = sorted(range(len(rows)), key=lambda i: (-float(excess[i]), pair_of[i], i))
    for i in order:
        row, column = int(rows[i]), int(columns[i])
        if owners[row] > owners[column]:
            row, column = column, row
        pair = (int(owners[row]), int(owners[column]))
        per_pair[pair] = per_pair.get(pair, 0) + 1
        if per_pair[pair] > 6 * wanted:  # only each pair's best few are looked at
            continue
        kept = found.setdefault(pair, [])
        if len(kept) >= wanted or any(
            row == e.row_a
            or column == e.row_b
            or abs(when[row] - when[e.row_a]) < apart
            or abs(when[column] - when[e.row_b]) < apart
            for e in kept
        ):
            continue
        kept.append(Evidence(row, column, float(excess[i])))
    return {pair: tuple(kept) for pair, kept in found.items()}


def candidates(seed: int, messages: int = 300, pairs: int = 4000):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    owners = rng.integers(1, 25, size=messages)
    rows = rng.integers(0, messages, size=pairs)
    columns = rng.integers(0, messages, size=pairs)
    keep = owners[rows] != owners[columns]
    rows, columns = rows[keep], columns[keep]
    excess = rng.normal(size=len(rows)).round(1).astype(np.float32)  # many ties
    when = rng.uniform(0, 20 * 86400, size=messages)
    return owners, rows, columns, excess, when


def keys_of(owners: np.ndarray, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    size = int(owners.max()) + 1
    first, second = owners[rows], owners[columns]
    keys: np.ndarray = np.minimum(first, second) * size + np.maximum(first, second)
    return keys


@pytest.mark.parametrize(("seed", "wanted", "apart"), [(0, 3, 43200.0), (1, 3, 0.0), (2, 2, 1e6)])
def test_passes_over_arrays_choose_what_the_plain_rule_chooses(
    seed: int, wanted: int, apart: float
) -> None:
    owners, rows, columns, excess, when = candidates(seed)
    valid = np.arange(len(rows))
    table = best_apart(
        owners, rows, columns, excess, valid, keys_of(owners, rows, columns), wanted, when, apart
    )
    expected = one_by_one(owners, rows, columns, excess, wanted, when, apart)
    assert dict(table.items()) == expected
    assert list(table) == list(expected)  # pairs in the order of their best evidence
    for proof in table.values():  # each member's messages from different occasions
        for i, first in enumerate(proof):
            for second in proof[i + 1 :]:
                assert abs(when[first.row_a] - when[second.row_a]) >= apart
                assert abs(when[first.row_b] - when[second.row_b]) >= apart
    assert max(len(proof) for proof in table.values()) == wanted


def test_the_table_looks_up_pairs_and_sums_their_evidence() -> None:
    owners, rows, columns, excess, when = candidates(3)
    valid = np.flatnonzero(excess > -1.0)  # candidates left out do not count
    table = best_apart(
        owners,
        rows,
        columns,
        excess,
        valid,
        keys_of(owners, rows[valid], columns[valid]),
        3,
        when,
        43200.0,
    )
    pair = next(iter(table))
    assert pair in table and pair[::-1] not in table and (0, 10**6) not in table
    assert table.get((pair[1], pair[0])) is None
    with pytest.raises(KeyError):
        _ = table[(10**6, 10**6 + 1)]
    totals = dict(zip(table, table.totals().tolist(), strict=True))
    for key, proof in table.items():
        assert totals[key] == sum(e.excess for e in proof)
        assert all(e.excess > -1.0 for e in proof)
        assert all(owners[e.row_a] == key[0] and owners[e.row_b] == key[1] for e in proof)
    assert len(EvidenceTable.empty()) == 0
