"""Short review sentences from a small grammar whose label depends on words far apart.

A clause is `subject verb [negator [, filler ,]] [intensifier] adjective` (the filler after a
negator set off by commas); its polarity is the adjective's, flipped by a negator. A sentence
is one clause (maybe followed by a filler), `A , but B` (B decides) or `A , although B` (A
decides). The label is computed from that structure, never guessed.

Distance: how many tokens follow the first word that decides the label (the deciding clause's
negator, or its adjective when there is none). A classifier reading the last word must carry
the decision across that many tokens. The filler length (`gap`) sets it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

SUBJECTS = ("the film", "the movie", "the plot", "the acting", "the ending", "the music",
            "the story", "the cast")
VERBS = ("was", "is")
POSITIVE = ("good", "great", "wonderful", "excellent", "brilliant", "lovely", "superb", "fun")
NEGATIVE = ("bad", "awful", "boring", "terrible", "dull", "poor", "dreadful", "weak")
INTENSIFIERS = ("very", "really", "quite", "so", "truly", "extremely")
NEGATORS = ("not", "never")
CONNECTIVES = {"but": "second", "although": "first"}  # which clause decides
# Neutral phrases by length, combined to make a filler of an exact number of words.
FILLERS = {
    1: ("honestly", "frankly", "overall", "mostly", "basically", "admittedly"),
    2: ("i think", "i guess", "in truth", "for me", "at times"),
    3: ("to be honest", "in my view", "all in all", "on the whole", "to be fair"),
    4: ("if you ask me", "for the most part", "as i see it", "when all is said"),
}
TEMPLATES = ("plain", "negation", "but", "although")
MAX_GAP = 20


@dataclass(frozen=True)
class Sentence:
    """Tokens, label (1 positive, 0 negative), distance (see module doc) and template."""

    tokens: tuple[str, ...]
    label: int
    distance: int
    template: str

    @property
    def text(self) -> str:
        return " ".join(self.tokens).replace(" ,", ",")


def vocabulary() -> list[str]:
    """Every word the grammar can produce, sorted."""
    words = {",", *VERBS, *POSITIVE, *NEGATIVE, *INTENSIFIERS, *NEGATORS, *CONNECTIVES}
    for phrase in (*SUBJECTS, *(p for ps in FILLERS.values() for p in ps)):
        words.update(phrase.split())
    return sorted(words)


def filler(n: int, rng: random.Random) -> list[str]:
    """Exactly n words of neutral phrases."""
    out: list[str] = []
    while len(out) < n:
        size = rng.choice([s for s in FILLERS if s <= n - len(out)])
        out += rng.choice(FILLERS[size]).split()
    return out


def clause(rng: random.Random, negated: bool, gap: int = 0) -> tuple[list[str], int, int]:
    """A clause, its polarity (+1/-1) and the index of its first deciding word."""
    positive = rng.random() < 0.5
    words = [*rng.choice(SUBJECTS).split(), rng.choice(VERBS)]
    first = len(words)
    if negated:
        words.append(rng.choice(NEGATORS))
        if gap:  # set off by commas, as written English does: "not , to be honest , good"
            words += [",", *filler(gap, rng), ","]
    if rng.random() < 0.4:
        words.append(rng.choice(INTENSIFIERS))
    if not negated:
        first = len(words)
    words.append(rng.choice(POSITIVE if positive else NEGATIVE))
    polarity = (1 if positive else -1) * (-1 if negated else 1)
    return words, polarity, first


def sentence(rng: random.Random, template: str, gap: int) -> Sentence:
    """One sentence of `template` with a filler of `gap` words placed to lengthen the distance."""
    if template not in TEMPLATES:
        raise ValueError(f"unknown template {template!r}")
    if template in ("plain", "negation"):
        words, pol, first = clause(rng, template == "negation", gap)
        if template == "plain" and gap:
            words += [",", *filler(gap, rng)]
    else:
        a, pol_a, first_a = clause(rng, rng.random() < 0.5)
        decides_second = CONNECTIVES[template] == "second"
        b, pol_b, first_b = clause(rng, rng.random() < 0.5, gap if decides_second else 0)
        head = [*a, ",", template]
        if not decides_second:
            head += filler(gap, rng)  # the deciding clause A must be carried across this
        words = head + b
        pol, first = (pol_b, len(head) + first_b) if decides_second else (pol_a, first_a)
    return Sentence(tuple(words), int(pol > 0), len(words) - 1 - first, template)


def generate(n: int, max_gap: int, seed: int) -> list[Sentence]:
    """n sentences, templates in equal turns, gaps uniform in 0..max_gap; seeded."""
    if not 0 <= max_gap <= MAX_GAP:
        raise ValueError(f"max_gap must be between 0 and {MAX_GAP}")
    rng = random.Random(seed)
    return [sentence(rng, TEMPLATES[i % len(TEMPLATES)], rng.randint(0, max_gap))
            for i in range(n)]
