"""Text from the data, shown as text: never as Markdown, HTML or a reordering of the line.

Names, products, file names and notes come from suppliers' files. Streamlit renders Markdown in
``st.markdown``, captions, alerts, expander and link labels, so a name such as
``![beacon](http://198.51.100.7/b.png) Beacon LLC`` would make every viewer's browser fetch
that address, ``[x](https://...)`` would be a live link, ``**bold**`` and ``:red[...]`` would
style, and a right-to-left override (U+202E) would reverse the rest of the line. The one rule
for every page: data goes through :func:`plain` before it reaches a Markdown-rendering element
(tables and ``st.text`` show text as it is). :func:`printable` is the same without the Markdown
escapes, for the command line.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["plain", "printable"]

# Markdown (CommonMark and GitHub's), Streamlit's directives (:red[...], :material/x:, emoji
# codes), LaTeX ($) and HTML (<, >, &) characters, escaped with a backslash.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~:$&=^])")
# Streamlit turns bare addresses into live links whatever the escapes ("http://x", "www.x",
# "a@b.c"); a word joiner (U+2060, invisible) inside the scheme or before "@" stops that.
_AUTOLINK = re.compile(r"(?i)\b(h)(ttps?)|\b(f)(tp)|\b(w)(ww)|(@)")
_JOINER = "\u2060"


def printable(value: object) -> str:
    """The text with format characters (bidi overrides, zero widths) removed and control
    characters (line breaks, NUL...) shown as a space: one line that reads in order.

    >>> printable("Acme\\u202eCLL") , printable("Zero\\u200bWidth"), printable("a\\nb\\x00c")
    ('AcmeCLL', 'ZeroWidth', 'a b c')
    """
    out = []
    for char in str(value):
        category = unicodedata.category(char)
        if category == "Cf":
            continue
        out.append(" " if category == "Cc" else char)
    return "".join(out)


def plain(value: object) -> str:
    """:func:`printable` text with every Markdown-active character escaped, so Streamlit
    shows it literally.

    >>> plain("![beacon](http://198.51.100.7/b.png) Beacon LLC").replace("\\u2060", "+")
    '\\\\!\\\\[beacon\\\\]\\\\(h+ttp\\\\://198\\\\.51\\\\.100\\\\.7/b\\\\.png\\\\) Beacon LLC'
    >>> plain(":red[**Acme**]")
    '\\\\:red\\\\[\\\\*\\\\*Acme\\\\*\\\\*\\\\]'
    """
    escaped = _MARKDOWN.sub(r"\\\1", printable(value))
    return _AUTOLINK.sub(_unlink, escaped)


def _unlink(match: re.Match[str]) -> str:
    if match.group(7):
        return _JOINER + "@"
    first, rest = next(
        (a, b) for a, b in zip(match.groups()[:6:2], match.groups()[1:6:2], strict=True) if a
    )
    return first + _JOINER + rest
