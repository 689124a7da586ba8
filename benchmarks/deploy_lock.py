"""What the deploy lock costs a `migrate`, and how soon a waiting deploy starts after the other.

    python benchmarks/deploy_lock.py               # 30 repetitions
    python benchmarks/deploy_lock.py --reps 100

On the lean project of tests/deploy_settings.py (tests/deployapp, one view), on a throwaway
embedded PostgreSQL 16 unless DATABASE_URL is set (then on that database). Medians of the
repetitions, all in the same run:

1. the deploy lock alone: `acquire()` then `release()` (a second connection, one try of the
   lock, rollback, close);
2. `migrate` with nothing pending, in-process (`call_command`, `--skip-checks`), hook on (it
   takes the lock) and with ORM_VIEWS_AUTO_SYNC = False (it takes none);
3. hand-over: a thread holds the lock, another waits for it (tries in short transactions); the
   time from the holder's release to the waiter holding it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.deploy_settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from django_orm_views_hook.database import deploy_lock  # noqa: E402


def timed(action, reps: int) -> float:  # type: ignore[no-untyped-def]
    """The median of `reps` timings of `action()`, in milliseconds."""
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def migrate() -> None:
    call_command("migrate", verbosity=0, skip_checks=True)


def hand_over_once() -> float:
    """The time from a holder's release to the waiter holding the lock, in ms."""
    held, released_at, acquired_at = threading.Event(), [0.0], [0.0]

    def holder() -> None:
        lock = deploy_lock.acquire("default")
        held.set()
        time.sleep(0.3)
        released_at[0] = time.perf_counter()
        lock.release()
        connections.close_all()

    def waiter() -> None:
        held.wait()
        lock = deploy_lock.acquire("default", on_wait=lambda using: None)
        acquired_at[0] = time.perf_counter()
        lock.release()
        connections.close_all()

    threads = [threading.Thread(target=holder), threading.Thread(target=waiter)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return (acquired_at[0] - released_at[0]) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reps", type=int, default=30)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)  # the deploy app's migrations, and its view
    migrate()  # warm-up
    lock = timed(lambda: deploy_lock.acquire("default").release(), args.reps)
    on = timed(migrate, args.reps)
    with override_settings(ORM_VIEWS_AUTO_SYNC=False):
        off = timed(migrate, args.reps)
    handover = statistics.median(hand_over_once() for _ in range(max(3, args.reps // 5)))
    print(f"deploy lock alone (acquire + release): {lock:.2f} ms")
    print(f"migrate, nothing pending: hook on {on:.2f} ms, off {off:.2f} ms ({on / off:.2f}x)")
    print(f"the lock's share of the no-op migrate: {lock / on:.0%}")
    print(f"hand-over to a waiting deploy: {handover:.0f} ms (tries back off to 200 ms)")


if __name__ == "__main__":
    main()
