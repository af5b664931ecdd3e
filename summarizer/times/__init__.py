"""Time expressions to ISO date intervals, relative to the publication date.

- `normalization`: one expression alone (`normalize("on Monday", published=date)`);
- `in_context`: an expression where it stands in an article (`normalize_in`), with the
  tense of its clause and the times the article gave before it;
- the rules behind both: `context_rules` (anaphora, results-news periods) and
  `calendar_rules` (everything else), registered in `table`, built from the `spans`
  arithmetic and the `vocabulary` of news English.

The documented paths `summarizer.timex.normalize` and `summarizer.timex_context.normalize_in`
keep working.
"""

from __future__ import annotations

from summarizer.times.in_context import TimeMention, infer_tense, normalize_in, times_in
from summarizer.times.normalization import normalize

__all__ = ["TimeMention", "infer_tense", "normalize", "normalize_in", "times_in"]
