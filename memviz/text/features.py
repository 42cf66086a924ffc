"""Per-character features a cell might track (Karpathy, Johnson & Fei-Fei 2015): for Python
source (inside a string literal, inside a comment, bracket depth, indentation, position in the
line) and for any text (position in the line, inside quotes, inside brackets, after
punctuation). Each feature is a float array (N,), one value per character of the text.
"""

from __future__ import annotations

import numpy as np

from memviz.i18n import t

# message keys written out, so that grep and the catalogue test see each one
FEATURE_KEYS = {"in_string": "text.feature.in_string", "in_comment": "text.feature.in_comment",
    "bracket_depth": "text.feature.bracket_depth", "indentation": "text.feature.indentation",
    "position_in_line": "text.feature.position_in_line",
    "inside_quotes": "text.feature.inside_quotes",
    "inside_brackets": "text.feature.inside_brackets",
    "after_punctuation": "text.feature.after_punctuation"}

CODE = ("in_string", "in_comment", "bracket_depth", "indentation", "position_in_line")
GENERIC = ("position_in_line", "inside_quotes", "inside_brackets", "after_punctuation")
OPEN, CLOSE = "([{（【《「『“", ")]}）】》」』”"
PUNCTUATION = set(".,;:!?。，、；：！？")


def label(name: str) -> str:
    """A feature's name for people, in the current language (e.g. 'inside a comment')."""
    return t(FEATURE_KEYS[name])


def line_features(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Position in the line (0 = first character) and the line's indentation, each (N,)."""
    col, indent = np.zeros(len(text)), np.zeros(len(text))
    i = 0
    for line in text.split("\n"):
        n = len(line) + 1  # with its newline (the last line may have none: sliced below)
        col[i: i + n] = np.arange(n)[: len(text) - i]
        indent[i: i + n] = len(line) - len(line.lstrip(" \t"))
        i += n
    return col, indent


def _python_states(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """in_string, in_comment, bracket_depth for Python source, each (N,).

    Quotes (', ", ''', \"\"\") count as inside their string; a one-line string ends at the end
    of its line even if unclosed, so a cut passage cannot flip the rest of the text."""
    n = len(text)
    in_str, in_com, depth = np.zeros(n), np.zeros(n), np.zeros(n)
    quote, comment, d, i = None, False, 0, 0
    while i < n:
        ch, step = text[i], 1
        if ch == "\n":
            comment = False
            quote = quote if quote in ("'''", '"""') else None
            in_str[i] = quote is not None
        elif comment:
            in_com[i] = 1
        elif quote is not None:
            if ch == "\\":
                step = 2  # an escaped character never closes the string
            elif text.startswith(quote, i):
                step, quote = len(quote), None
            in_str[i: i + step] = 1
        elif ch == "#":
            comment, in_com[i] = True, 1
        elif ch in "'\"":
            quote = ch * 3 if text.startswith(ch * 3, i) else ch
            step = len(quote)
            in_str[i: i + step] = 1
        elif ch in "([{":
            d += 1
        elif ch in ")]}":
            d = max(d - 1, 0)
        depth[i: i + step] = d
        i += step
    return in_str, in_com, depth


def code_features(text: str) -> dict[str, np.ndarray]:
    """The Python-source features of `text`, keyed as in CODE."""
    in_str, in_com, depth = _python_states(text)
    col, indent = line_features(text)
    return {"in_string": in_str, "in_comment": in_com, "bracket_depth": depth,
            "indentation": indent, "position_in_line": col}


def generic_features(text: str) -> dict[str, np.ndarray]:
    """Features that make sense for any text (also Chinese), keyed as in GENERIC."""
    n = len(text)
    quotes, brackets, after = np.zeros(n), np.zeros(n), np.zeros(n)
    inside, d = False, 0
    for i, ch in enumerate(text):
        if ch == '"':
            inside = not inside
            quotes[i] = 1  # both quote marks count as inside, as in the code features
        elif ch in "“「『":
            inside, quotes[i] = True, 1
        elif ch in "”」』":
            inside, quotes[i] = False, 1
        else:
            quotes[i] = inside
        if ch in OPEN[:-1]:
            d += 1
        elif ch in CLOSE[:-1]:
            d = max(d - 1, 0)
        brackets[i] = d > 0 or ch in CLOSE[:-1]
        after[i] = i > 0 and text[i - 1] in PUNCTUATION
    col, _ = line_features(text)
    return {"position_in_line": col, "inside_quotes": quotes, "inside_brackets": brackets,
            "after_punctuation": after}


def for_corpus(kind: str, text: str) -> dict[str, np.ndarray]:
    """Code features for the stdlib corpus, generic ones for any other text."""
    return code_features(text) if kind == "stdlib" else generic_features(text)
