"""The boilerplate rules of :mod:`mtsum.clean`: YAML files resolved, compiled and matched.

The rules are data, resolved on every call (merged and compiled once per set of
unchanged files):

1. ``mtsum/clean/data/rules/common.yaml`` and ``mtsum/clean/data/rules/<lang>.yaml`` (``en.yaml`` for a
   language that has no rules file anywhere);
2. ``common.yaml`` and ``<lang>.yaml`` in the folder named by ``$MTSUM_RULES_DIR``
   (a ``fr.yaml`` there gives French its own rules);
3. the ``extra_rules`` files, in order. Such a file may say ``language: sv`` (or a
   list) to apply to those languages only.

A later rule with the same name ("sv:ad_marker"; a name containing ":" is taken
as is, so ``common:ad_marker`` reaches a shared rule) updates the earlier one field
by field, so ``enabled: false`` switches a rule off. The rule format is documented
at the top of ``common.yaml``.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import Any

from mtsum import settings
from mtsum.errors import ConfigError

__all__ = [
    "RULES_DIR_ENV", "Matchers", "Prefixes", "Rule", "credit", "joined", "load_rules", "matchers", "remove_matches",
]

RULES_DIR_ENV = settings.RULES_DIR
_PACKAGED_RULES = Path(__file__).parent / "data" / "rules"
_KINDS = ("remove", "prefix", "credit")


@dataclass(frozen=True)
class Rule:
    """A compiled rule; ``name`` is "<scope>:<rule>" as shown in removals."""

    name: str
    kind: str
    patterns: tuple[re.Pattern[str], ...]
    min_run: int = 1
    # Read from mtsum's own rules files alone (no user file touched it).
    packaged: bool = False


# --- rules --------------------------------------------------------------------


def load_rules(language: str, extra_rules: Iterable[str | os.PathLike[str]] | None = None) -> list[Rule]:
    """Resolve the rules for *language* now (packaged, then $MTSUM_RULES_DIR, then extras).

    A language with no rules file anywhere uses the English rules. Raises ConfigError.
    """
    lang = requested = _language_key(language)
    user_dir = settings.env(settings.RULES_DIR)
    dirs = [_PACKAGED_RULES] + ([Path(user_dir).expanduser()] if user_dir else [])

    # (scope, file, mtime, size): the rules are merged and compiled once per set of
    # unchanged files, not on every call (cleaning runs once per document).
    def found(lang: str) -> list[tuple[str | None, str, int, int]]:
        return [(scope, *sig) for d in dirs for scope in ("common", lang) if (sig := _signature(d / f"{scope}.yaml"))]

    sources = found(lang) if lang is not None else []
    if not any(scope == lang for scope, *_ in sources):
        lang = "en"
        sources = found(lang)
    for extra in extra_rules or ():
        path = Path(extra).expanduser()
        if (sig := _signature(path)) is None:
            raise ConfigError(f"rules file not found: {path}")
        sources.append((None, *sig))
    return list(_resolve(lang, requested, tuple(sources)))  # a copy: the cached list stays as read


def _signature(path: Path) -> tuple[str, int, int] | None:
    """(path, mtime, size) of a rules file, None where there is none.

    One stat: cleaning looks its rules up once per document, and the is_file tests and
    Path.resolve this replaces took 0.14 ms of it (now 0.03).
    """
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (os.path.abspath(path), stat.st_mtime_ns, stat.st_size) if S_ISREG(stat.st_mode) else None


@functools.lru_cache(maxsize=64)
def _resolve(lang: str, requested: str | None, sources: tuple[tuple[str | None, str, int, int], ...]) -> list[Rule]:
    merged: dict[str, dict[str, Any]] = {}
    for scope, path, mtime_ns, size in sources:
        data = _read_rules_cached(path, mtime_ns, size)
        if scope is None:  # an extra file: it may name the languages it is for
            applies_to = data.get("language")
            if applies_to is not None and not {lang, requested} & set(_as_list(applies_to)):
                continue
            scope = applies_to if isinstance(applies_to, str) else Path(path).stem
        _merge(merged, scope, data)
    return [_compile_rule(name, spec) for name, spec in merged.items() if spec.get("enabled", True)]


def _language_key(language: str) -> str | None:
    # "sv-SE" -> "sv"; anything that is not a plain code must not become a path.
    key = (language or "").strip().lower().replace("_", "-").split("-")[0]
    return key if re.fullmatch(r"[a-z]{2,3}", key) else None


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _merge(merged: dict[str, dict[str, Any]], scope: str, data: dict[str, Any]) -> None:
    for name, spec in data["rules"].items():
        # "common:ad_marker" names a rule of another scope exactly.
        full = name if ":" in str(name) else f"{scope}:{name}"
        # Field by field, so a user file can say just `enabled: false`.
        merged.setdefault(full, {}).update(spec, _source=data["_source"])


@functools.lru_cache(maxsize=64)
def _read_rules_cached(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    import yaml  # only when rules are needed, never at import of mtsum.clean

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise ConfigError(f"cannot read rules file {path}: {e}") from e
    rules = data.get("rules") if isinstance(data, dict) else None
    if not isinstance(rules, dict) or not all(isinstance(v, dict) for v in rules.values()):
        raise ConfigError(
            f"{path}: expected a top-level 'rules:' mapping of rule name -> "
            "{kind, pattern}; see mtsum/clean/data/rules/common.yaml"
        )
    return {**data, "_source": path}


def _compile_rule(name: str, spec: dict[str, Any]) -> Rule:
    where = f"rule {name!r} in {spec['_source']}"
    kind = spec.get("kind", "remove")
    if kind not in _KINDS:
        raise ConfigError(f"{where}: kind must be one of {', '.join(_KINDS)}, not {kind!r}")
    sources = _as_list(spec.get("pattern"))
    if not sources or not all(isinstance(p, str) and p for p in sources):
        raise ConfigError(f"{where}: 'pattern' must be a regex or a list of regexes")
    min_run = spec.get("min_run", 1)
    if not isinstance(min_run, int) or min_run < 1:
        raise ConfigError(f"{where}: 'min_run' must be a positive integer")
    try:
        patterns = tuple(_compile(p) for p in sources)
    except re.error as e:
        raise ConfigError(f"{where}: invalid regex: {e}") from e
    return Rule(name, kind, patterns, min_run, Path(spec["_source"]).parent == Path(os.path.abspath(_PACKAGED_RULES)))


@functools.lru_cache(maxsize=1024)
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# --- matching -----------------------------------------------------------------


_Matcher = tuple[str, bool, Callable[[str], Any]]
# A group reference means something else once patterns are joined into one: a
# backreference (\1, (?P=name)), a named group, a conditional on a group ((?(1)…)).
_GROUP_REFERENCE = re.compile(r"\\[1-9]|\(\?P=|\(\?P?<[A-Za-z_]|\(\?\(")


@dataclass(frozen=True)
class Matchers:
    """The remove rules as bound fullmatch methods, behind one joined pattern.

    Nearly every line of a page matches no rule; the joined pattern says so in one
    call instead of one per pattern (the rules loop was the largest cost of cleaning).
    Where a line does match, the joined pattern also says which rule: see
    :func:`joined` with *named*.
    """

    any_match: Callable[[str], re.Match[str] | None] | None  # None: no joinable patterns
    separate: list[_Matcher]  # patterns the joined one does not cover (group references)
    all: list[_Matcher]


def matchers(rules: list[Rule]) -> Matchers:
    every = [(r.name, r.min_run > 1, p) for r in rules if r.kind == "remove" for p in r.patterns]
    joinable = [not _has_group_reference(p.pattern) for _, _, p in every]
    any_match = joined(tuple(p.pattern for (_, _, p), ok in zip(every, joinable) if ok), "fullmatch", named=True)
    return Matchers(
        any_match,
        [(name, run, p.fullmatch) for (name, run, p), ok in zip(every, joinable) if not ok or any_match is None],
        [(name, run, p.fullmatch) for name, run, p in every],
    )


@functools.lru_cache(maxsize=1024)
def _has_group_reference(pattern: str) -> bool:
    # Cached: the matchers are made once per document, from the same few dozen patterns.
    return _GROUP_REFERENCE.search(pattern) is not None


@functools.lru_cache(maxsize=64)
def joined(patterns: tuple[str, ...], method: str, named: bool = False) -> Callable[[str], Any] | None:
    """One compiled alternation of *patterns* (its *method*), or None where they cannot be joined.

    A group reference (``\\1``, a named group, ``(?(1)…)``) would point elsewhere once
    joined, so such a set is not joined and every pattern is tried on its own.

    *named*: each branch ends in an empty group named ``_<k>``, *k* its pattern's index,
    so with ``fullmatch`` a match's ``lastgroup`` names the first pattern that matches
    the whole text on its own (branches are tried in order and each must match the
    whole text). The group goes at the end rather than around the pattern: the regex
    engine passes over a branch that opens with a literal or a character set at a glance
    where the text's first character rules it out, and a group in front would make it
    enter every branch. Joinable patterns hold no named group of their own.
    """
    if not patterns or any(map(_has_group_reference, patterns)):
        return None
    branches = (f"(?:{p})(?P<_{k}>)" if named else f"(?:{p})" for k, p in enumerate(patterns))
    try:
        return getattr(re.compile("|".join(branches)), method)
    except (re.error, OverflowError):
        # A global flag such as (?i) in a user's pattern is only valid at the start.
        return None


def remove_matches(matchers: Matchers, text: str) -> tuple[str | None, str | None]:
    """The first remove rule matching *text* whole, and the first such without min_run."""
    found = matchers.any_match(text) if matchers.any_match is not None else None
    if not matchers.separate:  # the joined pattern covers every rule: it names the first match
        if found is None:
            return None, None
        k = int(found.lastgroup[1:])  # type: ignore[index]  # every branch ends in a named group
        first, needs_run, _ = matchers.all[k]
        if not needs_run:
            return first, first
        # A run rule matched first: a rule without min_run may still match after it.
        later = matchers.all[k + 1 :]
        return first, next((name for name, run, fullmatch in later if not run and fullmatch(text)), None)
    first = None
    for name, needs_run, fullmatch in (matchers.all if found else matchers.separate):
        if first is not None and needs_run:
            continue
        if fullmatch(text):
            if not needs_run:
                return first or name, name
            first = first or name
    return first, None


@dataclass(frozen=True)
class Prefixes:
    rules: list[Rule]
    starts: Callable[[str], Any] | None  # the joined patterns' match: most lines have no marker

    @classmethod
    def of(cls, rules: list[Rule]) -> Prefixes:
        chosen = [r for r in rules if r.kind == "prefix"]
        return cls(chosen, joined(tuple(p.pattern for r in chosen for p in r.patterns), "match"))


def credit(rules: list[Rule], found: Callable[[str], Any] | None, text: str) -> tuple[str, int] | None:
    if found is not None and not found(text):
        return None
    for rule in rules:
        for pattern in rule.patterns:
            # The leftmost start from which the credit runs to the very end.
            m = pattern.search(text)
            while m:
                if pattern.fullmatch(text, m.start()):
                    return rule.name, m.start()
                m = pattern.search(text, m.start() + 1)
    return None
