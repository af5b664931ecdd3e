"""The coreference metrics against hand-computed textbook examples.

The main example is the one of Pradhan et al. (2014, "Scoring coreference partitions of
predicted mentions"): key {a,b,c} {d,e,f,g}, response {a,b} {c,d} {f,g,h,i} (e is missing
from the response; h and i are spurious). Each expected value is worked out in the comment
above it."""

from __future__ import annotations

from fractions import Fraction

import pytest

from summarizer.events.metrics import b_cubed, blanc, ceaf_e, conll, muc

KEY = [set("abc"), set("defg")]
RESPONSE = [set("ab"), set("cd"), set("fghi")]


def close(value: float, expected: Fraction | float) -> bool:
    return value == pytest.approx(float(expected), abs=1e-9)


def test_muc() -> None:
    # Recall: {a,b,c} falls into 2 response parts, {d,e,f,g} into 3 ({d}, {e}, {f,g}):
    # ((3-2) + (4-3)) / ((3-1) + (4-1)) = 2/5. Precision, by symmetry on the response:
    # {a,b} 1 part, {c,d} 2, {f,g,h,i} 3: ((2-1) + (2-2) + (4-3)) / (1 + 1 + 3) = 2/5.
    s = muc(KEY, RESPONSE)
    assert close(s.recall, Fraction(2, 5)) and close(s.precision, Fraction(2, 5))
    assert close(s.f1, Fraction(2, 5))


def test_muc_of_vilain_et_al() -> None:
    # Vilain et al. (1995): key {A,B,C,D}, response {A,B} {C,D}: recall (4-2)/(4-1), precision 1.
    s = muc([set("ABCD")], [set("AB"), set("CD")])
    assert close(s.recall, Fraction(2, 3)) and close(s.precision, 1)


def test_b_cubed() -> None:
    # Recall: sum over key clusters K and response clusters R of |K∩R|²/|K|, over 7 key mentions:
    # {a,b,c}: 2²/3 + 1²/3 = 5/3; {d,e,f,g}: 1²/4 + 2²/4 = 5/4; (5/3 + 5/4) / 7 = 5/12.
    # Precision over 8 response mentions: {a,b}: 2²/2 = 2; {c,d}: 1/2 + 1/2 = 1;
    # {f,g,h,i}: 2²/4 = 1; 4/8 = 1/2. F1 = 2·(5/12)(1/2) / (5/12 + 1/2) = 5/11.
    s = b_cubed(KEY, RESPONSE)
    assert close(s.recall, Fraction(5, 12)) and close(s.precision, Fraction(1, 2))
    assert close(s.f1, Fraction(5, 11))


def test_ceaf_e() -> None:
    # φ4 = 2|K∩R|/(|K|+|R|): K1-R1 4/5, K1-R2 2/5, K2-R2 2/6, K2-R3 4/8. The best one-to-one
    # alignment is K1-R1 + K2-R3 = 13/10; recall 13/10 / 2 = 13/20, precision 13/10 / 3 = 13/30,
    # F1 = 2·(13/20)(13/30) / (13/20 + 13/30) = 13/25.
    s = ceaf_e(KEY, RESPONSE)
    assert close(s.recall, Fraction(13, 20)) and close(s.precision, Fraction(13, 30))
    assert close(s.f1, Fraction(13, 25))


def test_conll_is_the_mean_of_the_three() -> None:
    # (2/5 + 5/11 + 13/25) / 3
    assert close(conll(KEY, RESPONSE), (Fraction(2, 5) + Fraction(5, 11) + Fraction(13, 25)) / 3)


def test_blanc() -> None:
    # Coreference links: key 3 + 6 = 9, response 1 + 1 + 6 = 8, both {ab, fg}: recall 2/9,
    # precision 2/8, F 4/17. Non-coreference links: key 3·4 = 12; response 2·2 + 2·4 + 2·4 = 20;
    # both: ad bd af ag bf bg cf cg = 8: recall 8/12, precision 8/20, F 1/2.
    # BLANC F = (4/17 + 1/2) / 2 = 25/68; precision (1/4 + 2/5)/2, recall (2/9 + 2/3)/2.
    s = blanc(KEY, RESPONSE)
    assert close(s.f1, Fraction(25, 68))
    assert close(s.precision, (Fraction(1, 4) + Fraction(2, 5)) / 2)
    assert close(s.recall, (Fraction(2, 9) + Fraction(2, 3)) / 2)


def test_a_perfect_response_scores_one_and_an_empty_one_zero() -> None:
    for metric in (muc, b_cubed, ceaf_e, blanc):
        assert close(metric(KEY, KEY).f1, 1)
        assert close(metric(KEY, []).f1, 0)


def test_all_singletons_against_one_cluster() -> None:
    # Key: one cluster of 4. Response: 4 singletons. B³ recall 4·(1/4)/4 = 1/4, precision 1;
    # MUC recall (4-4)/3 = 0 and precision 0/0 = 0.
    key, response = [set("abcd")], [{"a"}, {"b"}, {"c"}, {"d"}]
    b3 = b_cubed(key, response)
    assert close(b3.recall, Fraction(1, 4)) and close(b3.precision, 1)
    assert close(muc(key, response).f1, 0)
