"""F-COMP: the rule registry (STYLE habit 6).

Each domain app declares its rules in its ``rules.py``::

    @rule("guards.age", feature="F-FORCE-4", title=_("Guards' age"), fails_when=_("an active guard is too old"))
    def guards_age(ctx: Context) -> Verdicts:
        guards = ctx.once("force.active_guards", load_active_guards)   # one query for all units
        ...
        return {unit.id: Verdict(FAIL, [msg(_noop("Guard %(name)s ..."), name=..., age=...)]) ...}

A rule is a small function over data fetched in bulk for all units at once (``ctx.once`` memoises a
loader, so rules of one app share their queries): ten units and three thousand cost the same number of
queries. Parameters are declared beside the rules with ``param`` and read per unit's sub-district.

Evidence is stored untranslated (a msgid and its arguments) and rendered in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext

PASS, WARN, FAIL = "pass", "warn", "fail"
STATUSES = (PASS, WARN, FAIL)
SEVERITY = {PASS: 0, WARN: 1, FAIL: 2}


def msg(template: str, **args: Any) -> dict[str, Any]:
    """One line of evidence. ``template`` is an English msgid (mark it with ``gettext_noop``); arguments
    whose name ends in ``_t`` are msgids too (a choice label, a list of them) and are translated on reading."""
    return {"t": template, "a": {k: _plain(v) for k, v in args.items()}}


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def render(line: dict[str, Any]) -> str:
    args = dict(line.get("a", {}))
    for key, value in args.items():
        if key.endswith("_t"):
            args[key] = (gettext("、") if _is_zh() else ", ").join(gettext(v) for v in value) if isinstance(
                value, list) else gettext(value)
    try:
        return gettext(line["t"]) % args
    except (KeyError, TypeError, ValueError):
        return line["t"] % args if args else line["t"]


def _is_zh() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "").startswith("zh")


def render_all(lines: list[dict[str, Any]]) -> list[str]:
    return [render(line) for line in lines or []]


@dataclass(frozen=True)
class Verdict:
    status: str
    evidence: list[dict[str, Any]] = field(default_factory=list)
    # Since when this status holds, where the data can tell (a guard's birthday, an assignment's end).
    since: date | None = None


Verdicts = Mapping[int, Verdict]


@dataclass(frozen=True)
class Rule:
    code: str
    feature: str
    title: str | Promise
    fails_when: str | Promise
    func: Callable[[Any], Verdicts]
    # Where the records behind a verdict are: a URL name taking the unit's pk, and an anchor on that page.
    records: str = "unit-force"
    anchor: str = ""
    do_not_call_in_templates = True  # a template reads its fields; it must not run the rule

    def __call__(self, ctx: Any) -> Verdicts:
        return self.func(ctx)


REGISTRY: dict[str, Rule] = {}


def rule(code: str, *, feature: str, title: str | Promise, fails_when: str | Promise,
         records: str = "unit-force", anchor: str = "") -> Callable[[Callable[[Any], Verdicts]], Rule]:
    def register(func: Callable[[Any], Verdicts]) -> Rule:
        if code in REGISTRY and REGISTRY[code].func is not func:
            raise ValueError(f"rule {code} registered twice")
        REGISTRY[code] = Rule(code, feature, title, fails_when, func, records, anchor or code.split(".")[0])
        return REGISTRY[code]

    return register


@dataclass(frozen=True)
class Param:
    """A rule parameter (FEATURES.md §4): its default is the notice's number, editable per sub-district."""

    key: str
    default: Any
    kind: str  # "int" | "percent" | "kinds" | "date" (ISO, YYYY-MM-DD)
    label: str | Promise
    source: str | Promise
    choices: tuple[tuple[str, Any], ...] = ()
    minimum: float = 0
    maximum: float = 1_000_000

    def clean(self, value: Any) -> Any:
        """Validate a value from a form or the API; raise ValueError with a message for the user."""
        from django.utils.translation import gettext as _

        if self.kind in {"int", "percent"}:
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise ValueError(_("Enter a whole number."))
            try:
                number = int(str(value).strip())
            except ValueError:
                raise ValueError(_("Enter a whole number.")) from None
            if not self.minimum <= number <= self.maximum:
                raise ValueError(_("Enter a number from %(min)s to %(max)s.") % {
                    "min": int(self.minimum), "max": int(self.maximum)})
            return number
        if self.kind == "date":
            from datetime import date

            try:
                return date.fromisoformat(str(value).strip()).isoformat()
            except ValueError:
                raise ValueError(_("Enter a date as YYYY-MM-DD.")) from None
        if self.kind == "kinds":
            allowed = {key for key, _label in self.choices}
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                raise ValueError(_("Give a list of kinds."))
            unknown = sorted(set(value) - allowed)
            if unknown:
                raise ValueError(_("Unknown kinds: %(kinds)s.") % {"kinds": ", ".join(unknown)})
            return sorted(set(value), key=[k for k, _l in self.choices].index)
        raise ValueError(self.kind)


PARAMS: dict[str, Param] = {}


def param(key: str, default: Any, *, kind: str, label: str | Promise, source: str | Promise,
          choices: tuple[tuple[str, Any], ...] = (), minimum: float = 0, maximum: float = 1_000_000) -> Param:
    PARAMS[key] = Param(key, default, kind, label, source, choices, minimum, maximum)
    return PARAMS[key]
