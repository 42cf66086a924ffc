"""Stories in the style of the bAbI tasks, written by a seeded grammar (no download): people move
between rooms and pick up and drop things; one question at the end.

Tasks: "single" (where is a person: one supporting fact), "two" (where is a thing: who holds it
and where they went), "three" (where was a thing before a room: its path of rooms), "yesno" (is
a person in a room). The answer is read off the world state the generator keeps as it writes
each sentence, so it is right by construction; tests/test_memnet.py re-derives every answer by
re-reading the English sentences with a separate simulation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

TASKS = ("single", "two", "three", "yesno")
PEOPLE = ("mary", "john", "sandra", "daniel")
PLACES = ("kitchen", "garden", "office", "bathroom", "hallway", "bedroom")
THINGS = ("ball", "apple", "milk", "football")
MOVES = ("went to", "moved to", "journeyed to", "travelled to")
GETS = ("picked up", "got", "grabbed")
DROPS = ("dropped", "put down", "left")
ANSWERS = (*PLACES, "yes", "no")
MEMORY = 10  # sentences a story holds at most: the memory's slots

# The memory slots in Chinese, for the zh page: the same facts word for word (the model reads
# the English tokens; these are shown beside them).
ZH = {"mary": "玛丽", "john": "约翰", "sandra": "桑德拉", "daniel": "丹尼尔",
      "kitchen": "厨房", "garden": "花园", "office": "办公室", "bathroom": "浴室",
      "hallway": "走廊", "bedroom": "卧室", "ball": "球", "apple": "苹果", "milk": "牛奶",
      "football": "足球", "yes": "是", "no": "否"}


@dataclass(frozen=True)
class Story:
    """Sentences (each a tuple of lower-case words, no full stop), the question's words, the
    answer word, the task, and which sentences (0-based) the answer rests on."""

    task: str
    sentences: tuple[tuple[str, ...], ...]
    question: tuple[str, ...]
    answer: str
    support: tuple[int, ...]


def text(words: tuple[str, ...], question: bool = False) -> str:
    """A sentence as printed: 'Mary went to the kitchen.'"""
    s = " ".join(w.capitalize() if w in PEOPLE else w for w in words)
    return s[:1].upper() + s[1:] + ("?" if question else ".")


def zh_text(words: tuple[str, ...], question: bool = False) -> str:
    """The same fact in Chinese (memory slots and questions on the zh page)."""
    w = list(words)
    if w[0] in PEOPLE and w[1:3] in (v.split() for v in MOVES):
        return f"{ZH[w[0]]}去了{ZH[w[-1]]}。"
    if w[0] in PEOPLE and w[-1] in THINGS:
        verb = "拿起了" if " ".join(w[1:-2]) in GETS else "放下了"
        return f"{ZH[w[0]]}{verb}{ZH[w[-1]]}。"
    if w[:2] == ["where", "is"]:
        return f"{ZH[w[-1]]}在哪里？"
    if w[:2] == ["where", "was"]:  # where was the ball before the garden
        return f"{ZH[w[3]]}在到{ZH[w[-1]]}之前在哪里？"
    if w[0] == "is":  # is mary in the kitchen
        return f"{ZH[w[1]]}在{ZH[w[-1]]}吗？"
    return " ".join(words) + ("？" if question else "。")


class _World:
    """Where each person is, who holds what, where each thing is and the rooms it has been in
    (with the sentence that put it there)."""

    def __init__(self) -> None:
        self.at: dict[str, tuple[str, int]] = {}  # person -> (room, sentence)
        self.holder: dict[str, tuple[str, int]] = {}  # thing -> (person, sentence of pick-up)
        self.thing_at: dict[str, tuple[str, tuple[int, ...]]] = {}  # thing -> (room, the
        # holder's move there and the drop) once put down
        self.path: dict[str, list[tuple[str, int]]] = {}  # thing -> rooms in order (changes)

    def where_thing(self, thing: str) -> tuple[str, tuple[int, ...]] | None:
        if thing in self.holder:
            who, got = self.holder[thing]
            room, moved = self.at[who]
            return room, tuple(sorted({got, moved}))
        return self.thing_at.get(thing)

    def _visit(self, thing: str, room: str, i: int) -> None:
        path = self.path.setdefault(thing, [])
        if not path or path[-1][0] != room:
            path.append((room, i))


def _sentence(world: _World, rng: random.Random, i: int, things: bool
              ) -> tuple[str, ...]:
    """One random sentence the world allows, applied to the world."""
    kinds = ["move"]
    if things:
        placed = [p for p in PEOPLE if p in world.at]
        free = [(p, o) for p in placed for o in THINGS if o not in world.holder
                and (o not in world.thing_at or world.thing_at[o][0] == world.at[p][0])]
        held = list(world.holder)
        kinds += ["get"] * bool(free) * 2 + ["drop"] * bool(held)
    kind = kinds[rng.randrange(len(kinds))]
    if kind == "move":
        who = PEOPLE[rng.randrange(len(PEOPLE))]
        here = world.at.get(who, ("", 0))[0]
        room = [r for r in PLACES if r != here][rng.randrange(len(PLACES) - 1)]
        world.at[who] = (room, i)
        for o, (p, _) in world.holder.items():
            if p == who:
                world._visit(o, room, i)
        return (who, *MOVES[rng.randrange(len(MOVES))].split(), "the", room)
    if kind == "get":
        who, o = free[rng.randrange(len(free))]
        world.holder[o] = (who, i)
        world.thing_at.pop(o, None)
        world._visit(o, world.at[who][0], i)
        return (who, *GETS[rng.randrange(len(GETS))].split(), "the", o)
    o = held[rng.randrange(len(held))]
    who, _ = world.holder.pop(o)
    room, moved = world.at[who]
    world.thing_at[o] = (room, (moved, i))
    return (who, *DROPS[rng.randrange(len(DROPS))].split(), "the", o)


def _question(task: str, world: _World, rng: random.Random):
    """(question words, answer, support) the world can answer for `task`, or None."""
    if task in ("single", "yesno"):
        who = list(world.at)[rng.randrange(len(world.at))] if world.at else None
        if who is None:
            return None
        room, i = world.at[who]
        if task == "single":
            return ("where", "is", who), room, (i,)
        asked = room if rng.random() < 0.5 else PLACES[rng.randrange(len(PLACES))]
        return ("is", who, "in", "the", asked), "yes" if asked == room else "no", (i,)
    if task == "two":
        known = [o for o in THINGS if world.where_thing(o) is not None]
        if not known:
            return None
        o = known[rng.randrange(len(known))]
        room, support = world.where_thing(o)
        return ("where", "is", "the", o), room, support
    # three: a room the thing entered exactly once, not its first: the room before it is certain
    options = [(o, k) for o, path in world.path.items() for k in range(1, len(path))
               if [r for r, _ in path].count(path[k][0]) == 1]
    if not options:
        return None
    o, k = options[rng.randrange(len(options))]
    path = world.path[o]
    return (("where", "was", "the", o, "before", "the", path[k][0]), path[k - 1][0],
            (path[k - 1][1], path[k][1]))


LENGTHS = {"single": (2, 6), "two": (4, MEMORY), "three": (6, MEMORY), "yesno": (2, 6)}


def story(task: str, rng: random.Random) -> Story:
    """One story of `task` (sentences and an answerable question at the end)."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; choose from {', '.join(TASKS)}")
    lo, hi = LENGTHS[task]
    while True:  # a story whose world cannot answer the task's question is drawn again
        world, sentences = _World(), []
        for i in range(rng.randint(lo, hi)):
            sentences.append(_sentence(world, rng, i, task in ("two", "three")))
        q = _question(task, world, rng)
        if q is not None:
            return Story(task, tuple(sentences), *q)


def generate(n: int, tasks: tuple[str, ...], seed: int) -> list[Story]:
    """n stories, the tasks taken in turn, from one seeded generator."""
    rng = random.Random(seed)
    return [story(tasks[k % len(tasks)], rng) for k in range(n)]


def vocabulary() -> tuple[str, ...]:
    """Every word a story or question can use; index 0 is padding."""
    words = {w for v in (*MOVES, *GETS, *DROPS) for w in v.split()}
    words |= {*PEOPLE, *PLACES, *THINGS, "the", "where", "is", "was", "before", "in", "yes", "no"}
    return ("<pad>", *sorted(words))
