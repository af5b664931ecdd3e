"""Typed candidates found in an article's own words: people, organisations, countries, places.

A small model cannot be trusted to type a name ("Vladimir Putin" as a location) or to
keep few-shot names out of its answer. So the embedded backend fills fields only from
mentions found here, each typed by how the article writes it:

- a title before a name ("Foreign Minister Anna Vold", "her Dalmor counterpart Piet Aren")
  makes a person and gives the role, and a nationality before the title the affiliation;
- an institution head noun ("Ministry", "Council", "Union") makes an organisation;
- a country name, or its adjective, makes a country;
- a place head noun ("Palace", "Square"), or "in"/"at"/"capital" before a name that is
  none of the above, makes a place;
- a single word is kept only when it is the surname of a person the article names in full,
  a known country, a place the article puts somewhere, or an acronym.

The lists below are generic English (titles, head nouns, countries): nothing in them is
tuned to a particular article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

__all__ = ["Mention", "MentionKind", "country_of", "find_mentions"]

MentionKind = Literal["person", "organization", "country", "group", "place"]


@dataclass(frozen=True)
class Mention:
    """A typed name at `text[start:end]`; `name` is the fullest form the article gives."""

    name: str
    start: int
    end: int
    kind: MentionKind
    role: str | None = None
    affiliation: str | None = None


# Country -> its adjectives. Generic, the world's most reported-on countries.
_COUNTRIES: dict[str, tuple[str, ...]] = {
    "Afghanistan": ("Afghan",), "Albania": ("Albanian",), "Algeria": ("Algerian",),
    "Argentina": ("Argentine", "Argentinian"), "Armenia": ("Armenian",),
    "Australia": ("Australian",), "Austria": ("Austrian",), "Azerbaijan": ("Azerbaijani",),
    "Bangladesh": ("Bangladeshi",), "Belarus": ("Belarusian",), "Belgium": ("Belgian",),
    "Bolivia": ("Bolivian",), "Bosnia": ("Bosnian",), "Brazil": ("Brazilian",),
    "Bulgaria": ("Bulgarian",), "Cambodia": ("Cambodian",), "Canada": ("Canadian",),
    "Chile": ("Chilean",), "China": ("Chinese",), "Colombia": ("Colombian",),
    "Croatia": ("Croatian",), "Cuba": ("Cuban",), "Cyprus": ("Cypriot",),
    "Czech Republic": ("Czech",), "Denmark": ("Danish",), "Egypt": ("Egyptian",),
    "Estonia": ("Estonian",), "Ethiopia": ("Ethiopian",), "Finland": ("Finnish",),
    "France": ("French",), "Georgia": ("Georgian",), "Germany": ("German",),
    "Ghana": ("Ghanaian",), "Greece": ("Greek",), "Hungary": ("Hungarian",),
    "Iceland": ("Icelandic",), "India": ("Indian",), "Indonesia": ("Indonesian",),
    "Iran": ("Iranian",), "Iraq": ("Iraqi",), "Ireland": ("Irish",), "Israel": ("Israeli",),
    "Italy": ("Italian",), "Japan": ("Japanese",), "Jordan": ("Jordanian",),
    "Kazakhstan": ("Kazakh",), "Kenya": ("Kenyan",), "Kosovo": ("Kosovar",),
    "Kuwait": ("Kuwaiti",), "Kyrgyzstan": ("Kyrgyz",), "Latvia": ("Latvian",),
    "Lebanon": ("Lebanese",), "Libya": ("Libyan",), "Lithuania": ("Lithuanian",),
    "Malaysia": ("Malaysian",), "Mali": ("Malian",), "Mexico": ("Mexican",),
    "Moldova": ("Moldovan",), "Mongolia": ("Mongolian",), "Morocco": ("Moroccan",),
    "Netherlands": ("Dutch",), "New Zealand": ("New Zealand",), "Nigeria": ("Nigerian",),
    "North Korea": ("North Korean",), "Norway": ("Norwegian",), "Oman": ("Omani",),
    "Pakistan": ("Pakistani",), "Palestine": ("Palestinian",), "Peru": ("Peruvian",),
    "Philippines": ("Filipino", "Philippine"), "Poland": ("Polish",),
    "Portugal": ("Portuguese",), "Qatar": ("Qatari",), "Romania": ("Romanian",),
    "Russia": ("Russian",), "Saudi Arabia": ("Saudi",), "Serbia": ("Serbian",),
    "Singapore": ("Singaporean",), "Slovakia": ("Slovak",), "Slovenia": ("Slovenian",),
    "Somalia": ("Somali",), "South Africa": ("South African",),
    "South Korea": ("South Korean", "Korean"), "Spain": ("Spanish",),
    "Sri Lanka": ("Sri Lankan",), "Sudan": ("Sudanese",), "Sweden": ("Swedish",),
    "Switzerland": ("Swiss",), "Syria": ("Syrian",), "Taiwan": ("Taiwanese",),
    "Tajikistan": ("Tajik",), "Thailand": ("Thai",), "Tunisia": ("Tunisian",),
    "Turkey": ("Turkish",), "Turkmenistan": ("Turkmen",), "Uganda": ("Ugandan",),
    "Ukraine": ("Ukrainian",), "United Arab Emirates": ("Emirati",),
    "United Kingdom": ("British",), "Britain": ("British",),
    "United States": ("American", "U.S.", "US"), "Uzbekistan": ("Uzbek",),
    "Venezuela": ("Venezuelan",), "Vietnam": ("Vietnamese",), "Yemen": ("Yemeni",),
    "Zimbabwe": ("Zimbabwean",), "Senegal": ("Senegalese",), "Mauritania": ("Mauritanian",),
    "Gambia": ("Gambian",), "The Gambia": ("Gambian",), "Guinea": ("Guinean",),
    "Guinea-Bissau": ("Bissau-Guinean",), "Cabo Verde": ("Cabo Verdean",),
    "Cape Verde": ("Cape Verdean",), "Ivory Coast": ("Ivorian",), "Cameroon": ("Cameroonian",),
    "Niger": ("Nigerien",), "Chad": ("Chadian",), "Burkina Faso": ("Burkinabe",),
    "Benin": ("Beninese",), "Togo": ("Togolese",), "Sierra Leone": ("Sierra Leonean",),
    "Liberia": ("Liberian",), "Angola": ("Angolan",), "Mozambique": ("Mozambican",),
    "Tanzania": ("Tanzanian",), "Rwanda": ("Rwandan",), "Burundi": ("Burundian",),
    "Congo": ("Congolese",), "Zambia": ("Zambian",), "Namibia": ("Namibian",),
    "Botswana": ("Botswanan",), "Madagascar": ("Malagasy",), "Eritrea": ("Eritrean",),
    "Djibouti": ("Djiboutian",), "South Sudan": ("South Sudanese",), "Bahrain": ("Bahraini",),
    "Nepal": ("Nepalese", "Nepali"), "Myanmar": ("Burmese",), "Laos": ("Lao",),
    "Ecuador": ("Ecuadorian",), "Uruguay": ("Uruguayan",), "Paraguay": ("Paraguayan",),
    "Panama": ("Panamanian",), "Costa Rica": ("Costa Rican",), "Guatemala": ("Guatemalan",),
    "Honduras": ("Honduran",), "El Salvador": ("Salvadoran",), "Nicaragua": ("Nicaraguan",),
    "Jamaica": ("Jamaican",), "Haiti": ("Haitian",), "Luxembourg": ("Luxembourgish",),
    "Malta": ("Maltese",), "Montenegro": ("Montenegrin",), "North Macedonia": ("Macedonian",),
    "Fiji": ("Fijian",), "Brunei": ("Bruneian",),
}  # fmt: skip
_ADJECTIVE_TO_COUNTRY = {adj.lower(): c for c, adjs in _COUNTRIES.items() for adj in adjs}
_COUNTRY_NAMES = {c.lower(): c for c in _COUNTRIES}

# Words of a title: "Foreign Minister", "Deputy Prime Minister", "President".
_TITLE_WORDS = frozenset(
    "foreign prime minister ministers president secretary chancellor ambassador spokesman "
    "spokeswoman spokesperson deputy chief director general senator king queen premier envoy "
    "governor mayor commissioner chairman chairwoman chair leader head vice counterpart "
    "counterparts economy finance defence defense interior trade energy health justice "
    "state first lady emir crown prince sheikh pope cardinal bishop representative "
    "special minister-counsellor adviser advisor lawmaker officer commander executive ceo".split()
)
# Titles that name the role on their own (not "foreign", "deputy" alone).
_ROLE_HEADS = frozenset(
    "minister president secretary chancellor ambassador spokesman spokeswoman spokesperson "
    "director senator king queen premier envoy governor mayor commissioner chairman "
    "chairwoman chair leader head counterpart emir prince pope representative adviser "
    "advisor lawmaker commander ceo".split()
)
_ORG_HEADS = frozenset(
    "ministry ministries government office department agency embassy council committee party "
    "army military administration cabinet parliament kremlin commission court police service "
    "services delegation mission union bank company secretariat presidency organization "
    "organisation association assembly forum fund institute university group corporation "
    "nations alliance federation league bureau authority board coalition commonwealth "
    "community forces navy guard congress senate duma ministerstvo network foundation "
    "agency council treaty programme program institution".split()
)
_PLACE_HEADS = frozenset(
    "palace square hall house airport center centre street avenue hotel building castle "
    "city province region island islands river sea ocean bay port valley mountains district "
    "county state republic capital base stadium park cathedral".split()
)
# Groups that speak in the news without a name.
_GROUP_WORDS = frozenset(
    "officials analysts diplomats sources experts observers critics residents witnesses "
    "activists lawmakers protesters organisers organizers authorities investigators".split()
)
_CALENDAR = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday january february march april may "
    "june july august september october november december".split()
)
# Capitalised because they open a sentence, never names.
_COMMON = frozenset(
    "a an the it its this that these those he she they we i you his her their our us "
    "among separately but and or in on at for of to with by as after before while when "
    "meanwhile however also earlier later last next new speaking asked according during "
    "both all some many most other such there here what which who why how if yet still "
    "read share more email facebook twitter follow click subscribe photo image video "
    "officials analysts talks trade".split()
)
_CONNECTORS = frozenset(("of", "the", "for", "and", "de", "von", "van", "al", "bin"))
_PLACE_PREPOSITIONS = re.compile(
    r"(?:\b(?:in|at|to|from|near|outside|inside|capital|city of|visit to|trip to|arrived in)"
    r"|\bthe (?:[A-Z]\w+ )?capital(?: of)?),?\s*$"
)
_WORD = re.compile(r"[A-Za-z\u00C0-\u024F][\w'’.-]*[\w]|[A-Za-z\u00C0-\u024F]")
_LOWER_ROLE = re.compile(
    r"(?:\b(?:his|her|their|its|the)\s+)?((?:[A-Z][\w-]+\s+)?(?:(?:[a-z-]+)\s+){0,2}"
    r"(?:minister|president|counterpart|secretary|ambassador|spokesman|spokeswoman|"
    r"spokesperson|envoy|leader|chief|premier|chancellor|adviser|advisor|governor|mayor|"
    r"commissioner|director))\s*,?\s*$"
)


_NAME_PARTICLE = re.compile(r"^(?:al|el|ad|as|ash|at|bin|ibn|abu)-[A-Z]")


_PORTFOLIO = re.compile(
    r"(?:\b([A-Z][\w-]*(?: [A-Z][\w-]*)?)['’]s\s+)?\b((?:Deputy |Prime )?(?:Minister|Secretary|"
    r"Director|Commissioner)(?: of State)?\s+(?:of|for)\s+[A-Z][\w-]*"
    r"(?:(?:,\s*|\s+and\s+|\s+(?:of|for)\s+|\s+)[A-Z][\w-]*)*),\s*$"
)


def _capitalised(word: str) -> bool:
    # "al-Harthy" is a capitalised name for this purpose.
    return word[:1].isupper() or bool(_NAME_PARTICLE.match(word))


def country_of(word: str) -> str | None:
    """The country a country name or adjective names ("Portuguese" -> "Portugal")."""
    key = word.strip().lower()
    return _COUNTRY_NAMES.get(key) or _ADJECTIVE_TO_COUNTRY.get(key)


@dataclass
class _Run:
    words: list[tuple[str, int, int]]


def _runs(text: str) -> list[_Run]:
    """Maximal runs of capitalised words, joined by connectors ("Ministry of Foreign Affairs")."""
    words = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(text)]
    runs: list[_Run] = []
    current: list[tuple[str, int, int]] = []
    pending: list[tuple[str, int, int]] = []
    previous_end = -1
    for word, start, end in words:
        gap = text[previous_end:start] if previous_end >= 0 else ""
        broken = previous_end >= 0 and (gap.strip(" \t") != "")
        if broken and current:
            runs.append(_Run(current))
            current, pending = [], []
        if _capitalised(word) and word.lower() not in _CONNECTORS - {"the"}:
            current.extend(pending)
            pending = []
            current.append((word, start, end))
        elif current and word.lower() in _CONNECTORS - {"and"}:
            pending.append((word, start, end))
        else:
            if current:
                runs.append(_Run(current))
            current, pending = [], []
        previous_end = end
    if current:
        runs.append(_Run(current))
    return runs


def _lowercase_elsewhere(word: str, text: str) -> bool:
    return re.search(rf"(?<![\w.]){re.escape(word.lower())}(?!\w)", text) is not None


class _Finder:
    def __init__(self, text: str) -> None:
        self.text = text
        self.people: dict[str, Mention] = {}  # surname (lower) -> fullest person
        self.places: set[str] = set()
        self.orgs: dict[str, Mention] = {}

    def _sentence_start(self, start: int) -> bool:
        before = self.text[max(0, start - 3) : start]
        return start == 0 or bool(re.search(r"(?:[.!?\"”:]\s+|\n\s*|^\s*)$", before))

    def _trim(self, words: list[tuple[str, int, int]]) -> list[tuple[str, int, int]]:
        while words and (
            words[0][0].lower() in _COMMON
            or words[0][0].lower() in _CONNECTORS
            or (
                self._sentence_start(words[0][1])
                and len(words) == 1
                and _lowercase_elsewhere(words[0][0], self.text)
            )
        ):
            words = words[1:]
        while words and (words[-1][0].lower() in _CONNECTORS or words[-1][0].lower() in _COMMON):
            words = words[:-1]
        return words

    def classify(self, run: _Run) -> list[Mention]:
        words = self._trim(list(run.words))
        if not words or all(w.lower() in _CALENDAR for w, _, _ in words):
            return []
        lowered = [w.lower().rstrip(".") for w, _, _ in words]
        name = self.text[words[0][1] : words[-1][2]]
        start, end = words[0][1], words[-1][2]
        affiliation = next((c for w, _, _ in words if (c := _ADJECTIVE_TO_COUNTRY.get(w.lower()))), None)
        # An institution: the whole run ("Belarusian Foreign Ministry").
        if any(w in _ORG_HEADS for w in lowered) and not any(w in _PLACE_HEADS for w in lowered[-1:]):
            head = max(i for i, w in enumerate(lowered) if w in _ORG_HEADS)
            # "Foreign Ministry spokeswoman Maria Vell": the person after the institution.
            rest = words[head + 1 :]
            if rest and rest[0][0].lower() not in _CONNECTORS and any(w[0].lower() in _TITLE_WORDS for w in rest):
                org = self._org(words[: head + 1], affiliation)
                return [org, *self._titled(rest, affiliation or org.name)]
            return [self._org(words, affiliation)]
        whole = country_of(name)
        if whole and name in _COUNTRY_NAMES.values():
            return [Mention(name, start, end, "country")]
        if any(w in _TITLE_WORDS for w in lowered):
            return self._titled(words, affiliation)
        if len(words) == 1:
            return self._single(words[0])
        if lowered[-1] in _PLACE_HEADS or self._after_place_word(start):
            self.places.add(name.lower())
            return [Mention(name, start, end, "place")]
        if all(country_of(w) for w, _, _ in words):
            return []
        common = sum(1 for w, _, _ in words if len(w) > 3 and _lowercase_elsewhere(w, self.text))
        if len(words) <= 4 and common * 2 < len(words):
            return [self._person(words, *self._role_before(start))]
        return []

    def _org(self, words: list[tuple[str, int, int]], affiliation: str | None) -> Mention:
        name = self.text[words[0][1] : words[-1][2]]
        mention = Mention(name, words[0][1], words[-1][2], "organization", affiliation=affiliation)
        self.orgs.setdefault(name.lower(), mention)
        return mention

    def _titled(self, words: list[tuple[str, int, int]], affiliation: str | None) -> list[Mention]:
        lowered = [w.lower() for w, _, _ in words]
        last_title = max(i for i, w in enumerate(lowered) if w in _TITLE_WORDS)
        rest = words[last_title + 1 :]
        first_title = min(i for i, w in enumerate(lowered) if w in _TITLE_WORDS)
        if any(w in ("of", "for") for w in lowered[first_title:]):
            # "Minister of State for Energy Affairs": the rest names the portfolio.
            return []
        title = [w for (w, _, _), low in zip(words[: last_title + 1], lowered[: last_title + 1], strict=True)
                 if low in _TITLE_WORDS]  # fmt: skip
        role = " ".join(title).lower() if any(t.lower() in _ROLE_HEADS for t in title) else None
        if not rest or len(rest) > 4:
            return []
        if len(rest) == 1 and rest[0][0].lower() in self.people:
            return [self._known(rest[0])]
        return [self._person(rest, role, affiliation)]

    def _person(self, words: list[tuple[str, int, int]], role: str | None, affiliation: str | None) -> Mention:
        name = self.text[words[0][1] : words[-1][2]]
        mention = Mention(name, words[0][1], words[-1][2], "person", role, affiliation)
        surname = words[-1][0].lower()
        known = self.people.get(surname)
        if known is None or len(known.name) < len(name):
            self.people[surname] = mention
        return mention

    def _known(self, word: tuple[str, int, int]) -> Mention:
        full = self.people[word[0].lower()]
        return Mention(full.name, word[1], word[2], "person", full.role, full.affiliation)

    def _single(self, word: tuple[str, int, int]) -> list[Mention]:
        text, start, end = word
        low = text.lower()
        if low in self.people:
            return [self._known(word)]
        if low in _COUNTRY_NAMES:
            return [Mention(_COUNTRY_NAMES[low], start, end, "country")]
        if low in _GROUP_WORDS:
            return [Mention(text, start, end, "group")]
        if low in _ADJECTIVE_TO_COUNTRY:
            return []
        if low in self.places or self._after_place_word(start):
            self.places.add(low)
            return [Mention(text, start, end, "place")]
        if text.isupper() and 2 <= len(text) <= 5 and text.isalpha():
            return [Mention(text, start, end, "organization")]
        return []

    def _after_place_word(self, start: int) -> bool:
        return bool(_PLACE_PREPOSITIONS.search(self.text[max(0, start - 30) : start]))

    def _role_before(self, start: int) -> tuple[str | None, str | None]:
        """'her Dalmor counterpart Piet Aren', 'the economy minister, Ana Lis',
        "Kestria's Minister of Trade and Industry, Ana Lis"."""
        portfolio = _PORTFOLIO.search(self.text[max(0, start - 90) : start])
        if portfolio:
            owner = portfolio.group(1)
            return portfolio.group(2), (country_of(owner) or owner) if owner else None
        match = _LOWER_ROLE.search(self.text[max(0, start - 60) : start])
        if match is None:
            return None, None
        words = match.group(1).split()
        affiliation = None
        if words and words[0][:1].isupper():
            affiliation = country_of(words[0]) or words[0]
        role_words = words[1:] if affiliation else words
        return (" ".join(role_words).lower() or None), affiliation


def _resolve_counterparts(mentions: list[Mention]) -> list[Mention]:
    """'X met her Dalmor counterpart Y': Y holds X's role."""
    out: list[Mention] = []
    last_role: str | None = None
    for m in mentions:
        if m.kind == "person" and m.role and "counterpart" in m.role:
            m = Mention(m.name, m.start, m.end, m.kind, last_role, m.affiliation)
        if m.kind == "person" and m.role and "counterpart" not in m.role:
            last_role = m.role
        out.append(m)
    return out


@lru_cache(maxsize=32)
def find_mentions(text: str) -> tuple[Mention, ...]:
    """Every typed mention in `text`, in order. Two passes: the first learns the people
    named in full and the places put somewhere, so that a bare "Aren" or "Osla" earlier
    or later in the article is typed too."""
    finder = _Finder(text)
    runs = _runs(text)
    for run in runs:
        finder.classify(run)
    found: list[Mention] = []
    for run in runs:
        found.extend(finder.classify(run))
    # A person's role and affiliation, once learnt, hold for every mention of them.
    fullest: dict[str, Mention] = {}
    for m in found:
        if m.kind == "person":
            best = fullest.get(m.name)
            if best is None or (m.role and not best.role) or (m.affiliation and not best.affiliation):
                fullest[m.name] = Mention(
                    m.name, m.start, m.end, "person",
                    m.role or (best.role if best else None),
                    m.affiliation or (best.affiliation if best else None),
                )  # fmt: skip
    resolved = [
        Mention(m.name, m.start, m.end, m.kind, fullest[m.name].role, fullest[m.name].affiliation)
        if m.kind == "person" else m
        for m in found
    ]  # fmt: skip
    return tuple(_resolve_counterparts(resolved))
