"""Benchmark: a real ``hearth run`` restarted 50 times around due digests.

Each restart makes the chat's digest fall due about a second ahead, then stops the process
at a random moment near that fire time (SIGKILL mostly, SIGTERM for a graceful stop),
starts it again and waits until the run has finished. It counts, exactly, the digests that
were due, posted once, posted more than once (doubled) and never posted (missed), where
each stop landed (before the fire, claimed, posted but not yet recorded, posted, finished),
and how often the job store was found advanced past a run that was not claimed.

The process talks to the project's Telegram fake; timings are external, nothing in Hearth
is instrumented (see ``tests/faults/due_digest_rig.py``).

    python bench/fault_restarts.py                      # 50 restarts, 20% of them SIGTERM
    python bench/fault_restarts.py --restarts 20 --seed 7 --before-ms 50 --after-ms 300
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fakes.telegram_api import FakeTelegramApi
from tests.faults.due_digest_rig import (
    DueDigestRig,
    RunTally,
    restart_around_a_due_run,
)


async def bench(restarts: int, seed: int, before: float, after: float, graceful: float) -> int:
    rng = random.Random(seed)
    kills, terms = RunTally(), RunTally()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="hearth-fault-restarts-") as folder:
        async with FakeTelegramApi() as api:
            rig = DueDigestRig(api, Path(folder))
            try:
                await rig.start()
                await rig.schedule_digest()
                for number in range(1, restarts + 1):
                    sig = signal.SIGTERM if rng.random() < graceful else signal.SIGKILL
                    offset = rng.uniform(-before, after)
                    state, posts = await restart_around_a_due_run(rig, offset, sig)
                    (terms if sig is signal.SIGTERM else kills).add(state, posts)
                    print(
                        f"{number:3d} {sig.name:<7} at {offset * 1000:+6.1f} ms: "
                        f"{state.phase:<26} posted {posts}",
                        flush=True,
                    )
            finally:
                await rig.close()
    elapsed = time.monotonic() - started
    print()
    print(f"{'':<8} {'due':>4} {'posted':>7} {'doubled':>8} {'missed':>7} {'unclaimed':>10}")
    total = RunTally()
    for name, tally in (("SIGKILL", kills), ("SIGTERM", terms)):
        total.due += tally.due
        total.posted += tally.posted
        total.doubled += tally.doubled
        total.missed += tally.missed
        total.advanced_without_claim += tally.advanced_without_claim
        total.phases.update(tally.phases)
        print(_row(name, tally))
    print(_row("all", total))
    print()
    print("where the stops landed:")
    for phase, count in total.phases.most_common():
        print(f"  {phase:<26} {count}")
    print(f"\n{restarts} restarts in {elapsed:.0f} s ({elapsed / max(restarts, 1):.1f} s each)")
    return 0 if total.missed == 0 and total.advanced_without_claim == 0 else 1


def _row(name: str, tally: RunTally) -> str:
    return (
        f"{name:<8} {tally.due:>4} {tally.posted:>7} {tally.doubled:>8} {tally.missed:>7} "
        f"{tally.advanced_without_claim:>10}"
    )


def main() -> int:
    # A killed process drops its requests to the fake mid-way; that is the point here.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--restarts", type=int, default=50)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--before-ms", type=float, default=20, help="earliest stop before fire")
    parser.add_argument("--after-ms", type=float, default=80, help="latest stop after fire")
    parser.add_argument("--sigterm", type=float, default=0.2, help="share of graceful stops")
    args = parser.parse_args()
    return asyncio.run(
        bench(
            args.restarts,
            args.seed,
            args.before_ms / 1000,
            args.after_ms / 1000,
            args.sigterm,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
