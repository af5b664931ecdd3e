"""Greedy grammar-constrained generation that checks the grammar on the top candidates only.

llama-cpp-python applies a GBNF grammar to the whole vocabulary at every step;
with Gemma's 262k-token vocabulary that dominates generation time. Greedy
decoding only needs the best token the grammar accepts: if any of the `top_k`
highest-scoring tokens is accepted, the best of them is that token, so the
grammar is applied to those few and to the full vocabulary only when none of
them passes (the fast path llama.cpp's own `common` sampler uses). The result is
the same token sequence as full greedy constrained decoding.
"""

from __future__ import annotations

import ctypes
from typing import Any

import numpy as np

_DTYPE = np.dtype([("id", np.intc), ("logit", np.single), ("p", np.single)], align=True)


class _Candidates:
    def __init__(self, size: int) -> None:
        from llama_cpp import llama_cpp as C

        self.data = np.recarray((size,), dtype=_DTYPE)
        self.array = C.llama_token_data_array(
            data=self.data.ctypes.data_as(C.llama_token_data_p), size=size, selected=-1, sorted=False
        )

    def load(self, ids: np.ndarray[Any, Any], logits: np.ndarray[Any, Any]) -> None:
        n = len(ids)
        self.data.id[:n] = ids
        self.data.logit[:n] = logits
        self.data.p[:n] = 0.0
        self.array.size = n
        self.array.selected = -1
        self.array.sorted = False

    def best(self) -> int | None:
        n = int(self.array.size)
        logits = self.data.logit[:n]
        index = int(np.argmax(logits))
        return int(self.data.id[index]) if np.isfinite(logits[index]) else None


def generate(
    llm: Any,
    prompt: str,
    grammar: Any,
    *,
    max_tokens: int,
    top_k: int = 48,
    repeat_penalty: float = 1.1,
    penalty_window: int = 64,
) -> dict[str, Any]:
    """Greedy decoding of `prompt` under `grammar` (a LlamaGrammar); returns text and usage."""
    from llama_cpp import llama_cpp as C

    vocab = llm._model.vocab
    n_vocab = int(llm.n_vocab())
    sampler = C.llama_sampler_init_grammar(vocab, grammar._grammar.encode("utf-8"), grammar._root.encode("utf-8"))
    try:
        prompt_tokens = llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=False)
        budget = max(0, min(max_tokens, int(llm.n_ctx()) - len(prompt_tokens) - 1))
        llm.reset()
        llm.eval(prompt_tokens)
        few, everyone = _Candidates(top_k), _Candidates(n_vocab)
        all_ids = np.arange(n_vocab, dtype=np.intc)
        generated: list[int] = []
        finish = "length"
        for _ in range(budget):
            logits = np.ctypeslib.as_array(llm._ctx.get_logits(), shape=(n_vocab,)).copy()
            if generated and repeat_penalty != 1.0:
                recent = np.unique(np.asarray(generated[-penalty_window:], dtype=np.intc))
                values = logits[recent]
                logits[recent] = np.where(values > 0, values / repeat_penalty, values * repeat_penalty)
            top = np.argpartition(logits, -top_k)[-top_k:]
            few.load(top, logits[top])
            C.llama_sampler_apply(sampler, ctypes.byref(few.array))
            token = few.best()
            if token is None:
                everyone.load(all_ids, logits)
                C.llama_sampler_apply(sampler, ctypes.byref(everyone.array))
                token = everyone.best()
            if token is None or C.llama_vocab_is_eog(vocab, token):
                finish = "stop"
                break
            C.llama_sampler_accept(sampler, token)
            generated.append(token)
            llm.eval([token])
        text = llm.detokenize(generated).decode("utf-8", errors="replace")
        return {
            "text": text,
            "finish_reason": finish,
            "tokens_in": len(prompt_tokens),
            "tokens_out": len(generated),
        }
    finally:
        C.llama_sampler_free(sampler)
