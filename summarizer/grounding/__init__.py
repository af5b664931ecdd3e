"""Grounding: from the model's draft to items every quote of which sits in the article.

- `alignment`: where a quote sits in the article (`align`, character offsets);
- `grounder`: each drafted item checked against the article (`Grounder`, the policy);
- `merge`: what several chunks found, merged, with canonical actors.

`from summarizer.grounding import align` is the documented path to the aligner; this
package re-exports only `alignment`'s names, so importing it stays light.
"""

from __future__ import annotations

from summarizer.grounding.alignment import (
    ELISION_MAX_GAP,
    FUZZY_MIN_WORDS,
    FUZZY_THRESHOLD,
    SUBSTITUTION_MIN_WORDS,
    Span,
    align,
    contains_name,
    find_all,
)

__all__ = [
    "ELISION_MAX_GAP",
    "FUZZY_MIN_WORDS",
    "FUZZY_THRESHOLD",
    "SUBSTITUTION_MIN_WORDS",
    "Span",
    "align",
    "contains_name",
    "find_all",
]
