"""Tests for summarizer.clean: boilerplate goes, content stays verbatim, offsets map back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.clean import clean, is_boilerplate

SEED = Path(__file__).parents[1] / "seeds" / "000_dc0927f4facc235e.txt"

BOILERPLATE = [
    "We use cookies on our website to give you a better experience. By clicking “Accept” "
    "you agree to our use of cookies.",
    "This website uses cookies to ensure you get the best experience on our website.",
    "Read More",
    "    Read more »",
    "Read also: Ministers meet in Vell",
    "Related stories:",
    "Share this article",
    "Share on Facebook",
    "Share via Email",
    "Tweet",
    "Facebook | Twitter | LinkedIn",
    "Follow us on Telegram",
    "Sign up for our free daily newsletter",
    "Subscribe to our weekly briefing.",
    "Advertisement",
    "Click here to subscribe",
    "© 2022 The Coastal Ledger. All rights reserved.",
    "All rights reserved.",
    "Accept all cookies",
    "Cookie Policy",
    "• • •",
    "---",
    "  *  ",
    "• Home • World • Business • Markets • Opinion •",
    "By Staff Reporter | Published Mar 4, 2021 | 3 min read",
    "Related topics: Nordvik | Tarsen | Fisheries",
    "Sign up for our Evening Digest newsletter: the day's top stories in your inbox",
    "We and our partners use cookies to personalise ads. Click “Accept all” to consent.",
]

NEWS = [
    "• The ministers agreed to meet again in April.",
    "Talks covered trade | energy | migration, according to the ministry.",
    "The bakery said it would share its cookies with the food bank.",
    "Share prices fell 3% on Monday after the talks collapsed.",
    "The regulator's cookie policy review found that 40 sites broke the law, officials said.",
    '"We use cookies to track our critics," the leaked memo said.',
    "Fans can follow us on the road all summer, the band told reporters.",
    "Save the Children said it would expand aid to the region.",
    "Readers who subscribe to the newsletter will get the report first, the editor said.",
    "Email was the main channel between the two ministries, he said.",
    "The minister said he would reject all cookies offered at the summit.",
    "Click here to read the full statement, the ministry said in a post.",
    "Copyright 2021 lawsuit was settled out of court, the company announced.",
]


# --- the seed article --------------------------------------------------------------


def test_seed_cookie_banner_and_read_more_are_removed() -> None:
    original = SEED.read_text(encoding="utf-8")
    cleaned = clean(original)
    assert "cookies" not in cleaned.text
    assert "Cookie Policy" not in cleaned.text
    assert "Read More" not in cleaned.text
    assert cleaned.removed_lines == 2
    assert cleaned.text.endswith("during a one-day working visit to Minsk.")


def test_seed_every_other_line_kept_verbatim() -> None:
    original = SEED.read_text(encoding="utf-8")
    cleaned_lines = clean(original).text.split("\n")
    content = [line for line in original.splitlines() if line.strip()]
    banner, read_more = content[-2:]
    assert "We use cookies" in banner and read_more.strip() == "Read More"
    kept = [line for line in cleaned_lines if line]
    assert kept == content[:-2]  # same lines, same order, character for character


def test_seed_offsets_map_back() -> None:
    original = SEED.read_text(encoding="utf-8")
    cleaned = clean(original)
    phrase = "Sergey Aleinik and Sergey Lavrov"
    at = cleaned.text.index(phrase)
    start = cleaned.to_original(at)
    assert original[start : start + len(phrase)] == phrase
    assert cleaned.to_original(len(cleaned.text)) == original.index("visit to Minsk.") + len(
        "visit to Minsk."
    )


def test_gold_evidence_of_every_fixture_survives_cleaning() -> None:
    seeds = sorted(SEED.parent.glob("*.gold.json"))
    assert len(seeds) >= 10
    checked = 0
    for gold_path in seeds:
        text = gold_path.with_name(gold_path.name.replace(".gold.json", ".txt")).read_text("utf-8")
        cleaned = clean(text).text
        gold = json.loads(gold_path.read_text("utf-8"))
        items = [*gold["meetings"], *gold["statements"], *gold["planned_events"]]
        for evidence in (e for item in items for e in item.get("evidence", [])):
            assert evidence["quote"] in cleaned, (gold_path.name, evidence["quote"])
            checked += 1
    assert checked > 20


# --- line classification -------------------------------------------------------------


@pytest.mark.parametrize("line", BOILERPLATE)
def test_boilerplate_lines(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize("line", NEWS)
def test_news_sentences_that_mention_cookies_or_sharing_are_kept(line: str) -> None:
    assert not is_boilerplate(line)
    kept = line.removeprefix("• ")  # a leading bullet is cut, the line is not
    assert clean(f"Intro line.\n{line}\nOutro line.").text == f"Intro line.\n{kept}\nOutro line."


@pytest.mark.parametrize("line", ["", "   ", "\t"])
def test_blank_lines_are_not_boilerplate(line: str) -> None:
    assert not is_boilerplate(line)


def test_share_newsletter_and_junk_removed_from_a_page() -> None:
    text = (
        "Ministers met in Vell on Wednesday.\n"
        "Share this article\n"
        "• Facebook\n"
        "Sign up for our free daily newsletter\n"
        "• • •\n"
        "|\n"
        "They agreed to meet again in April.\n"
    )
    cleaned = clean(text)
    assert (
        cleaned.text == "Ministers met in Vell on Wednesday.\nThey agreed to meet again in April."
    )
    assert cleaned.removed_lines == 5


def test_leading_bullets_and_trailing_spaces_are_cut_blank_runs_collapse() -> None:
    text = "\n\n• First point made by the minister.   \n\n\n\n  ▪ Second point.\n\n"
    cleaned = clean(text)
    assert cleaned.text == "First point made by the minister.\n\nSecond point."
    second = cleaned.text.index("Second")
    assert text[cleaned.to_original(second) :].startswith("Second point.")


def test_windows_line_endings_map_back() -> None:
    text = "Ministers met.\r\nRead more\r\n\r\nThey agreed.\r\n"
    cleaned = clean(text)
    assert cleaned.text == "Ministers met.\n\nThey agreed."
    for i, ch in enumerate(cleaned.text):
        assert text[cleaned.to_original(i)] == ch


def test_empty_and_all_boilerplate() -> None:
    assert clean("").text == ""
    assert clean("").to_original(0) == 0
    everything = clean("Read more\nShare this article\n")
    assert everything.text == ""
    assert everything.removed_lines == 2


# --- the offset property ----------------------------------------------------------------

_WORDS = [
    "talks",
    "minister",
    "Vell",
    "Nordvik",
    "agreed",
    "the",
    "on",
    "Monday",
    "trade",
    "sanctions",
    "delegation",
    "3.5",
    "percent",
    "“quote”",
    "café",
    "—",
    "border",
]
_content = st.builds(
    # (line as written, what the cleaned copy keeps of it)
    lambda lead, words, end, trail: (
        f"{lead}{' '.join(words)}{end}{trail}",
        ("" if any(c in lead for c in "•·") else lead) + f"{' '.join(words)}{end}",
    ),
    st.sampled_from(["", "", "• ", "  ", "\t· "]),
    st.lists(st.sampled_from(_WORDS), max_size=12).map(lambda ws: ["Officials", *ws]),
    st.sampled_from([".", ",", "", "?"]),
    st.sampled_from(["", "", "  ", "\t"]),
)
_line = st.one_of(
    _content.map(lambda pair: ("content", *pair)),
    st.sampled_from(BOILERPLATE).map(lambda s: ("boilerplate", s, "")),
    st.sampled_from(["", "   "]).map(lambda s: ("blank", s, "")),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_line, max_size=25), st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_cleaned_offsets_map_to_identical_original_characters(
    lines: list[tuple[str, str, str]], newline: str, final_newline: bool
) -> None:
    original = newline.join(text for _, text, _ in lines) + (newline if final_newline else "")
    cleaned = clean(original)
    # Every character of the cleaned copy is the original character it maps to; a line
    # break maps to the original line break ("\r\n" to its "\n").
    mapped = [cleaned.to_original(i) for i in range(len(cleaned.text))]
    for i, ch in enumerate(cleaned.text):
        assert original[mapped[i]] == ch, (i, ch)
    assert mapped == sorted(set(mapped))  # strictly increasing: pieces never overlap
    if cleaned.text:
        assert cleaned.to_original(len(cleaned.text)) == mapped[-1] + 1
    # Content survives in order, boilerplate does not.
    kept = [line for line in cleaned.text.split("\n") if line]
    assert kept == [keep for kind, _, keep in lines if kind == "content"]
    assert cleaned.removed_lines == sum(kind == "boilerplate" for kind, _, _ in lines)
    assert "\n\n\n" not in cleaned.text
    assert cleaned.text == cleaned.text.strip("\n")
