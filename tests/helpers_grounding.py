"""The article the grounding tests ground against, and quotes that are in it."""

from __future__ import annotations

from datetime import date

PUBLISHED = date(2021, 3, 4)  # a Thursday
ARTICLE = (
    "Nordvik and Tarsen ministers meet in Vell\n"
    "\n"
    "Share this article\n"
    "Nordvik Foreign Minister Ilse Brandt met her Tarsen counterpart Omar Qadri in Vell on "
    "Wednesday to discuss fishing rights.\n"
    "Read more\n"
    "\n"
    '"We agreed to finish the fishing treaty this spring," Brandt told reporters.\n'
    "\n"
    "The two governments will hold a joint cabinet session in Vell on April 12.\n"
    "\n"
    "We use cookies to give you a better experience. Accept to continue.\n"
)
MEETING_QUOTE = "Brandt met her Tarsen counterpart Omar Qadri in Vell on Wednesday"
BRANDT_QUOTE = "We agreed to finish the fishing treaty this spring,"
SESSION_QUOTE = "The two governments will hold a joint cabinet session in Vell on April 12."
