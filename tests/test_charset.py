"""summarizer.charset: the charset an HTML page declares."""

from __future__ import annotations

import pytest

from summarizer.charset import declared_charset


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'<meta charset="windows-1251">', "cp1251"),
        (b"<META CHARSET=Shift_JIS>", "shift_jis"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">', "iso8859-1"),
        (b"<meta charset='utf-8' />", "utf-8"),
        (b'<meta charset="x-no-such-charset">', "x-no-such-charset"),
        (b'<meta name="description" content="charset talk">', None),
        (b"<p>no declaration</p>", None),
    ],
)
def test_the_declared_charset_as_a_codec_name(head: bytes, expected: str | None) -> None:
    assert declared_charset(b"<html><head>" + head + b"</head><body></body></html>") == expected


def test_a_declaration_past_the_head_prefix_is_not_read() -> None:
    assert declared_charset(b" " * 5000 + b'<meta charset="cp1251">') is None
