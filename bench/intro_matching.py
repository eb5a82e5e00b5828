"""Benchmark: a round of introductions among many members with planted interest groups.

Profiles are synthetic 384-d unit vectors: ``themes`` broad themes, each
planted group's centre a noisy copy of one theme, each member a noisy copy
of their group's centre (so groups of one theme overlap). Some members are
snoozed, some block a member of their own group, some already talk to a
group mate; a second round runs with the first as history.

Reports wall time, memory (the process's resident memory before a round and
its peak, which includes the synthetic data) and precision: the share of
introduced pairs (every pair inside a trio too) whose members share a
planted group.

    python bench/intro_matching.py                # 10,000 then 100,000 members
    python bench/intro_matching.py --members 100000
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc

import numpy as np

from jobs.intro_matcher import InterestProfiles, IntroRound, match_members
from jobs.vector_math import unit_rows

DIMENSION = 384


def planted_profiles(
    members: int, group_size: int, themes: int, seed: int
) -> tuple[InterestProfiles, np.ndarray]:
    """Profiles and each member's planted group."""
    rng = np.random.default_rng(seed)
    groups = -(-members // group_size)
    theme = unit_rows(rng.standard_normal((themes, DIMENSION), dtype=np.float32))
    noise = rng.standard_normal((groups, DIMENSION), dtype=np.float32) / np.sqrt(DIMENSION)
    centres = unit_rows(theme[np.arange(groups) % themes] + noise)
    group_of = np.repeat(np.arange(groups), group_size)[:members]
    vectors = np.empty((members, DIMENSION), dtype=np.float32)
    for start in range(0, members, 10_000):
        stop = min(members, start + 10_000)
        member_noise = rng.standard_normal((stop - start, DIMENSION), dtype=np.float32)
        vectors[start:stop] = centres[group_of[start:stop]] + member_noise / np.sqrt(DIMENSION)
    ids = rng.permutation(members).astype(np.int64) + 1
    profiles = InterestProfiles(member_ids=ids, vectors=unit_rows(vectors))
    return profiles, group_of


def constraints(
    profiles: InterestProfiles, group_of: np.ndarray, seed: int
) -> tuple[set[int], dict[int, list[int]], dict[tuple[int, int], int]]:
    """5% snoozed; 10% block one group mate; 20% already talk to one group mate."""
    rng = np.random.default_rng(seed + 1)
    ids = profiles.member_ids
    n = len(ids)
    snoozed = set(ids[rng.choice(n, size=n // 20, replace=False)].tolist())
    by_group: dict[int, list[int]] = {}
    for position, group in enumerate(group_of.tolist()):
        by_group.setdefault(group, []).append(position)

    def group_mate(position: int) -> int:
        mates = by_group[int(group_of[position])]
        return int(ids[mates[int(rng.integers(len(mates)))]])

    blocked = {
        int(ids[p]): [group_mate(p)] for p in rng.choice(n, size=n // 10, replace=False).tolist()
    }
    interactions = {
        (int(ids[p]), group_mate(p)): 5 for p in rng.choice(n, size=n // 5, replace=False).tolist()
    }
    return snoozed, blocked, interactions


def precision(round_: IntroRound, group_of_id: dict[int, int]) -> float:
    same = total = 0
    for group in round_.groups:
        ids = group.member_ids
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                total += 1
                same += group_of_id[a] == group_of_id[b]
    return same / total if total else 0.0


def run(members: int, group_size: int, themes: int, seed: int, trace: bool) -> None:
    profiles, group_of = planted_profiles(members, group_size, themes, seed)
    snoozed, blocked, interactions = constraints(profiles, group_of, seed)
    group_of_id = dict(zip(profiles.member_ids.tolist(), group_of.tolist(), strict=True))
    print(
        f"\n{members:,} members, {DIMENSION}-d, {-(-members // group_size):,} planted groups of "
        f"{group_size} in {themes} themes; {len(snoozed):,} snoozed, {len(blocked):,} block "
        f"lists, {len(interactions):,} pairs that already talk"
    )
    history: list[tuple[tuple[int, ...], ...]] = []
    for number in (1, 2):
        rss_before = current_rss_mib()
        if trace:
            tracemalloc.start()
        started = time.perf_counter()
        round_ = match_members(
            profiles,
            snoozed=snoozed,
            blocked=blocked,
            interactions=interactions,
            past_rounds=history,
        )
        elapsed = time.perf_counter() - started
        traced = ""
        if trace:
            traced = f"  numpy+python peak {tracemalloc.get_traced_memory()[1] / 2**20:5.0f} MiB"
            tracemalloc.stop()
        peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        taking_part = members - len(snoozed)
        matched = sum(len(group.member_ids) for group in round_.groups)
        trios = sum(len(group.member_ids) == 3 for group in round_.groups)
        print(
            f"round {number}: {elapsed:5.1f} s  RSS before {rss_before:5.0f} MiB, "
            f"process peak {peak_rss:5.0f} MiB{traced}  groups {len(round_.groups):,} "
            f"({trios} trio)  matched {matched / taking_part:.1%}  "
            f"precision {precision(round_, group_of_id):.3f}"
        )
        history.append(round_.history_entry())


def current_rss_mib() -> float:
    """The resident memory of this process now."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--group-size", type=int, default=50)
    parser.add_argument("--themes", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--trace-memory",
        action="store_true",
        help="also trace the matcher's own allocations (slows it down about twofold)",
    )
    args = parser.parse_args()
    for members in args.members:
        run(members, args.group_size, args.themes, args.seed, args.trace_memory)


if __name__ == "__main__":
    main()
