"""Before/after prevalence per source type: what filter or rebalance did to each tag's share.

"After" counts what was written: copies count once each, and in weight mode a
document counts with its sample_weight. Counts are plain sums, so each shard's
table merges exactly into the run's.
"""
from __future__ import annotations

from corpus_audit.aggregate.counts import ALL

SIDES = ("before", "after")


class BeforeAfter:
    def __init__(self, tags: tuple[str, ...], data: dict | None = None):
        self.tags = tuple(tags)
        self.data: dict = data if data is not None else {}

    def _cell(self, side: str, source: str) -> dict:
        return self.data.setdefault(side, {}).setdefault(
            source, {"documents": 0, "assessed": 0, **dict.fromkeys(self.tags, 0)})

    def add(self, side: str, annotation: dict, weight: float = 1, cleared: tuple[str, ...] = ()) -> None:
        if weight == 0:
            self._cell(side, annotation["source_type"])  # the source still shows, with what is left of it
            return
        cell = self._cell(side, annotation["source_type"])
        cell["documents"] += weight
        if annotation["assessed"]:
            cell["assessed"] += weight
            for tag in self.tags:
                if annotation[tag] and tag not in cleared:
                    cell[tag] += weight

    def merge(self, other: dict) -> BeforeAfter:
        for side, sources in other.items():
            for source, cell in sources.items():
                mine = self._cell(side, source)
                for key, value in cell.items():
                    mine[key] = mine.get(key, 0) + value
        return self

    def with_total(self) -> dict:
        result = {}
        for side in SIDES:
            sources = dict(sorted(self.data.get(side, {}).items()))
            total = {"documents": 0, "assessed": 0, **dict.fromkeys(self.tags, 0)}
            for cell in sources.values():
                for key, value in cell.items():
                    total[key] += value
            sources[ALL] = total
            result[side] = sources
        return result

    def to_markdown(self, title: str) -> str:
        table = self.with_total()
        header = ["source type", "documents", *self.tags]
        lines = [f"# {title}", "",
                 "Documents, then each tag's share of the assessed documents, before → after "
                 "(after counts what was written: every copy, or the sample weight).", "",
                 "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for source in table["before"]:
            before, after = table["before"][source], table["after"].get(source, {})
            cells = [source, f"{_count(before['documents'])} → {_count(after.get('documents', 0))}"]
            for tag in self.tags:
                cells.append(f"{_share(before[tag], before['assessed'])} → "
                             f"{_share(after.get(tag, 0), after.get('assessed', 0))}")
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"


def _count(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _share(count: float, total: float) -> str:
    return f"{100 * count / total:.2f}%" if total else "–"
