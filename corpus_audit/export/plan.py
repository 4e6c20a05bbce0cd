"""Rebalance plans: a YAML file of rules, including target shares turned into keep fractions from an audit.

A plan file:

    # plan.yaml
    upsample_mode: duplicate        # or weight; --upsample-mode on the command line wins
    thresholds: {ai_evil: 0.7}      # optional, like --threshold
    rules:
      - keep: ai_evil               # keep half of the ai_evil documents in fiction and forums
        source: [fiction, forum]    # optional: one source type or a list (default: every source)
        fraction: 0.5
      - repeat: ai_benevolent       # 1.5 copies on average: half of them are written twice
        factor: 1.5
      - target: ai_evil             # ai_evil at most 2% of the AI-mentioning fiction
        source: fiction
        within: ai_mention          # the share's denominator: ai_mention, or all (every assessed document, default)
        at_most: 0.02               # or at_least: 0.1 (repeats), or share: 0.05 (either way)

A target rule needs `--from-audit reports/audit.json`: with the audit's count c
of the tag and n documents in the denominator, keeping (or repeating) the tagged
documents by f = s (n - c) / (c (1 - s)) gives share s. The fraction is computed
as if no other rule touched those documents; the manifest records it.
Rules combine by multiplying (see rules.py).
"""
from __future__ import annotations

from pathlib import Path

import yaml

from corpus_audit.export.rules import Rule, check_source, check_tag, make_rule, parse_thresholds
from corpus_audit.io.shards import InputError
from corpus_audit.labels import AI_MENTION, ALL_TAGS

_ACTIONS = {"keep": "fraction", "repeat": "factor"}
_TARGET_BOUNDS = ("at_most", "at_least", "share")
_PLAN_KEYS = {"rules", "thresholds", "upsample_mode"}


def load_plan(path: str | Path, audit: dict | None) -> dict:
    """{'rules': [Rule], 'thresholds': {...}, 'upsample_mode': str | None} from a plan file."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such plan file") from None
    except yaml.YAMLError as error:
        raise InputError(f"{path}: not valid YAML ({str(error).splitlines()[0]})") from None
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise InputError(f"{path}: a plan is a YAML mapping with a list under 'rules' (see corpus-audit rebalance -h)")
    unknown = set(data) - _PLAN_KEYS
    if unknown:
        raise InputError(f"{path}: unknown plan keys {', '.join(sorted(unknown))} "
                         f"(allowed: {', '.join(sorted(_PLAN_KEYS))})")
    rules = []
    for number, entry in enumerate(data["rules"], start=1):
        rules.extend(_rule_of(entry, f"{path} rule {number}", audit))
    return {"rules": rules, "thresholds": parse_thresholds(data.get("thresholds") or {}),
            "upsample_mode": data.get("upsample_mode")}


def _sources(entry: dict, where: str) -> tuple[str, ...] | None:
    value = entry.get("source")
    if value is None:
        return None
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values:
        raise InputError(f"{where}: 'source' is a source type or a list of them")
    return tuple(check_source(str(v)) for v in values)


def _rule_of(entry, where: str, audit: dict | None) -> list[Rule]:
    if not isinstance(entry, dict):
        raise InputError(f"{where}: a rule is a mapping such as {{keep: ai_evil, fraction: 0.5}}")
    actions = [a for a in ("keep", "repeat", "target") if a in entry]
    if len(actions) != 1:
        raise InputError(f"{where}: a rule has exactly one of keep, repeat, target")
    action = actions[0]
    if action == "target":
        return _target_rules(entry, where, audit)
    allowed = {action, _ACTIONS[action], "source"}
    if set(entry) - allowed or _ACTIONS[action] not in entry:
        raise InputError(f"{where}: a {action} rule has the keys {', '.join(sorted(allowed))} ('source' optional)")
    return [make_rule(action, str(entry[action]), _sources(entry, where), entry[_ACTIONS[action]], where)]


def _target_rules(entry: dict, where: str, audit: dict | None) -> list[Rule]:
    allowed = {"target", "source", "within", *_TARGET_BOUNDS}
    bounds = [b for b in _TARGET_BOUNDS if b in entry]
    if set(entry) - allowed or len(bounds) != 1:
        raise InputError(f"{where}: a target rule has target, one of {', '.join(_TARGET_BOUNDS)}, "
                         "and optionally source and within")
    if audit is None:
        raise InputError(f"{where}: a target share needs the audit's numbers: add --from-audit reports/audit.json")
    tag = check_tag(str(entry["target"]), ALL_TAGS)
    within = str(entry.get("within", "all"))
    if within not in ("all", AI_MENTION):
        raise InputError(f"{where}: 'within' is all or ai_mention, not {within!r}")
    bound = bounds[0]
    share = float(entry[bound])
    if not 0 < share < 1:
        raise InputError(f"{where}: a target share is strictly between 0 and 1, not {share}")
    sources = _sources(entry, where) or ("all",)
    return [_target_rule(tag, source, within, bound, share, where, audit) for source in sources]


def _target_rule(tag, source, within, bound, share, where, audit) -> Rule:
    block = audit.get("by_source", {}).get(source)
    if block is None:
        raise InputError(f"{where}: the audit has no documents of source type {source!r}")
    if tag not in block or (within == AI_MENTION and AI_MENTION not in block):
        model = audit.get("model", {}).get("name")
        raise InputError(f"{where}: the audit has no numbers for {tag} (its model: {model or 'gate only'})")
    count = block[tag]["count"]
    total = block[AI_MENTION]["count"] if within == AI_MENTION else block["assessed"]
    factor = target_factor(count, total, share)
    if bound == "at_most":
        factor = min(1.0, factor)
    elif bound == "at_least":
        factor = max(1.0, factor)
    action = "keep" if factor <= 1 else "repeat"
    origin = (f"{where}: {tag} {bound.replace('_', ' ')} {share:g} of {within} in {source} "
              f"(audit: {count} of {total}) -> {action} {factor:.6g}")
    return Rule(tag, factor, None if source == "all" else (source,), origin)


def target_factor(count: int, total: int, share: float) -> float:
    """The multiplier of the tagged documents that makes them `share` of the denominator."""
    if count == 0:
        return 1.0  # nothing to scale
    rest = total - count
    return share * rest / (count * (1 - share))
