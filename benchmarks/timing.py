"""The timer every benchmark here uses: the best wall time over repeated passes, per item.

The best (not the mean) of several passes is the least disturbed by other work on a
shared machine; ratios against a baseline timed the same way in the same run are what
the benchmarks report.
"""
import time


def seconds_per_item(function, items: list, rounds: int = 3) -> float:
    """Best wall time of `rounds` passes calling `function` on every item, divided by the number of items."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for item in items:
            function(item)
        best = min(best, time.perf_counter() - start)
    return best / len(items)
