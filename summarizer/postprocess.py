"""Old path of `summarizer.grounding.grounder` and `summarizer.grounding.merge`; new code
imports from there."""

from __future__ import annotations

from summarizer.grounding.grounder import Grounder, GroundingReport, Items, statement_kind
from summarizer.grounding.merge import canonicalise_actors, merge

__all__ = ["Grounder", "GroundingReport", "Items", "canonicalise_actors", "merge", "statement_kind"]
