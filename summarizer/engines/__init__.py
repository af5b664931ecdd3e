"""Scale-out engines for `summarizer batch`, beside the in-process one in `summarizer.batch`.

- `ray_engine`: the same per-article engine on the workers of a Ray cluster
  (`--engine ray`, optional extra `summarizer[ray]`).
- `openai_batch`: the OpenAI Batch API for the first answer of every article, the live
  pipeline for everything after it (`--engine openai-batch`); `batch_answers` holds the
  backend wrapper that answers from the batch first and falls back to live calls.

Both write the same `Outcome` lines to OUT as `--engine local`, consult the same
summary cache, and skip the ids already in OUT with `--resume`.
"""

from __future__ import annotations

from typing import Literal, get_args

EngineName = Literal["local", "ray", "openai-batch"]
ENGINES: tuple[str, ...] = get_args(EngineName)
