"""A page's settings as one declared table (name -> spec, default), kept in the URL and across
page switches, as TF Playground's state.ts keeps its own.

The spec (memviz.specs' Int/Float/Choice/Flag/Many) is the one validator: it parses a link's
text, and gives the widgets their bounds and options. Each setting's widget key is
`{page}_{name}`. On the session's first page run a link's values are read (a bad one falls back
to its default with a warning, and nothing trains from that link); on a return to the page the
values it had are put back (Streamlit forgets the state of widgets a run did not draw, so a
copy lives under a non-widget key); every run writes the values back to the URL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from memviz.specs import Choice, ConfigError, Int, Many, Spec, label_text
from memviz.ui.lang import t
from memviz.ui.show import literal

FIRST_RUN_DONE = "_urlstate_first_run_done"  # links are read on a session's first run only
# query names every page shares (the language, lecturer mode): no page table removes them
APP_WIDE = frozenset({"lang", "lecturer"})


@dataclass(frozen=True)
class Setting:
    """One URL/widget setting; `view` ones (a step, a unit) are not part of the trained config."""

    name: str
    spec: Spec
    default: Any
    view: bool = False


def _text(value: Any) -> str:
    return ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


# ---------------------------------------------------------------- the one writer of the URL

def write(name: str, value: Any) -> None:
    """Put `name=value` in the address bar; an unchanged value is not written again (each write
    is sent to the browser). Every URL write goes through here or `drop`."""
    if st.query_params.get(name) != _text(value):
        st.query_params[name] = _text(value)


def drop(name: str) -> None:
    """Take `name` out of the address bar (nothing if it is not there)."""
    if name in st.query_params:
        del st.query_params[name]


def keep_app_wide(lang: str, lecturer: bool) -> None:
    """Keep the session's language (?lang=zh) and the lecturer mode (?lecturer=1) in the
    address bar, so that a reload or a copied link keeps them."""
    write("lang", lang)
    if lecturer:
        write("lecturer", "1")
    else:
        drop("lecturer")


class Table:
    """One page's settings: the widgets' keys, bounds, defaults and their URL round trip."""

    def __init__(self, page: str, settings: list[Setting],
                 check: Callable[[dict[str, Any]], Any] | None = None) -> None:
        self.page, self.settings = page, {s.name: s for s in settings}
        self.check = check  # a whole-set check (e.g. a task's shortest sequence); ConfigError

    def __getitem__(self, name: str) -> Spec:
        return self.settings[name].spec

    def key(self, name: str) -> str:
        """The widget key of a setting."""
        return f"{self.page}_{name}"

    def defaults(self) -> dict[str, Any]:
        """Each setting's default (None: decided by the page, e.g. the last time step)."""
        return {n: s.default for n, s in self.settings.items()}

    # ---------------------------------------------------------------- reading

    def parse_link(self, query: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
        """A link's values for this table and the problems found; bad ones are left out."""
        values, problems = {}, []
        for name, text in query.items():
            if name not in self.settings:
                continue
            spec = self.settings[name].spec
            try:
                values[name] = (self._parse_many(spec, text, problems) if isinstance(spec, Many)
                                else spec.parse(text))
            except ConfigError as e:
                problems.append(str(e))
        if self.check is not None:  # settings that clash: none of the link's are used
            try:
                self.check({**self.defaults(), **values})
            except ConfigError as e:
                return {}, [*problems, str(e)]
        return values, problems

    @staticmethod
    def _parse_many(spec: Many, text: str, problems: list[str]) -> list:
        """The valid, distinct items of a comma list; the others noted as problems."""
        items: list = []
        for part in (p for p in text.split(",") if p.strip()):
            try:
                value = spec.item.parse(part)
            except ConfigError as e:
                problems.append(str(e))
                continue
            if value in items:
                problems.append(t("urlstate.twice", label=label_text(spec.label), value=value))
            else:
                items.append(value)
        return list(spec.check(items[: spec.hi]))

    def start(self) -> None:
        """Call before the widgets: fill their state from a link (the session's first run),
        from this page's kept copy (a return to the page), or from the defaults."""
        ss = st.session_state
        first = FIRST_RUN_DONE not in ss
        ss[FIRST_RUN_DONE] = True
        sentinel = self.key(next(iter(self.settings)))
        if sentinel in ss:  # still on the page: the widgets hold the values
            return
        values = {**self.defaults(), **ss.get(self._kept, {})}
        query = {n: st.query_params[n] for n in self.settings if n in st.query_params}
        if first and query:
            linked, problems = self.parse_link(query)
            values = {**self.defaults(), **linked}
            ss[self._link] = None if problems else {
                n: v for n, v in values.items() if not self.settings[n].view}
            if problems:
                shown = t("specs.separator").join(problems[:3])  # quotes the link: as text
                st.warning(t("urlstate.bad_link", problems=literal(shown)))
        for name, value in values.items():
            if value is not None:
                ss[self.key(name)] = list(value) if isinstance(value, tuple) else value

    # ---------------------------------------------------------------- writing

    def values(self, names: list[str] | None = None) -> dict[str, Any]:
        """The current widget values (of `names`, default all drawn so far)."""
        ss = st.session_state
        return {n: ss[self.key(n)] for n in (names or self.settings) if self.key(n) in ss}

    def save(self, names: list[str] | None = None) -> None:
        """Keep the current values (for a return to the page) and write them to the URL. Saving
        the whole table also clears names that are not its own (another page's settings); saving
        some `names` (a step-through's t and unit) only writes those, beside the page's own."""
        current = self.values(names)
        st.session_state[self._kept] = {**st.session_state.get(self._kept, {}), **current}
        if names is None:
            for k in [k for k in st.query_params if k not in self.settings and k not in APP_WIDE]:
                drop(k)
        for name, value in current.items():
            write(name, value)

    def from_link(self) -> bool:
        """Whether the settings are still those of a valid link the session opened with (so the
        page may train at once); a later change is the student's own and waits for Train."""
        link = st.session_state.get(self._link)
        return bool(link) and all(self.values().get(n) == v for n, v in link.items())

    @property
    def _kept(self) -> str:
        return f"_{self.page}_kept_settings"

    @property
    def _link(self) -> str:
        return f"_{self.page}_link_values"

    # ---------------------------------------------------------------- widgets with the bounds

    def slider(self, where, label: str, name: str, **kw) -> Any:
        """A slider over an Int/Float setting's bounds (or a Choice's options)."""
        spec = self[name]
        if isinstance(spec, Choice):
            return where.select_slider(label, spec.choices, key=self.key(name), **kw)
        step = spec.step if isinstance(spec, Int) else kw.pop("step", None)
        return where.slider(label, kw.pop("lo", spec.lo), spec.hi, step=step,
                            key=self.key(name), **kw)

    def number(self, where, label: str, name: str, **kw) -> Any:
        """A number box over an Int setting's bounds."""
        spec = self[name]
        return where.number_input(label, spec.lo, spec.hi, step=spec.step, key=self.key(name),
                                  **kw)

    def choice(self, where, label: str, name: str, widget: str = "selectbox", **kw) -> Any:
        """A selectbox, radio or multiselect over a Choice (or Many) setting's options."""
        spec = self[name]
        options = spec.item.choices if isinstance(spec, Many) else spec.choices
        return getattr(where, widget)(label, options, key=self.key(name), **kw)
