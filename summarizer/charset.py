"""The character set an HTML page declares for itself (`<meta charset>`, or the older
`<meta http-equiv="Content-Type" content="...; charset=...">`)."""

from __future__ import annotations

import codecs
import re

__all__ = ["declared_charset"]

# The HTML standard looks for the declaration in the first 1024 bytes; pages with long
# heads put it later, so a little more is read.
_PREFIX_BYTES = 4096
_META = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:+-]+)""", re.IGNORECASE)


def declared_charset(data: bytes) -> str | None:
    """The Python codec name of the page's declared charset; None when it declares none.
    A name Python does not know is returned as written (the caller says so)."""
    found = _META.search(data[:_PREFIX_BYTES])
    if found is None:
        return None
    name = found.group(1).decode("ascii")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name
