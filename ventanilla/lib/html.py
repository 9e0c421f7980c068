"""HTML safety: every piece of foreign HTML goes through sanitize_html before it is stored."""

import nh3
from django.utils.html import urlize
from django.utils.text import normalize_newlines

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "div",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto", "cid"}


def sanitize_html(html):
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def text_to_html(text):
    """Plain text typed by a person, shown as safe HTML paragraphs with links."""
    linked = urlize(normalize_newlines(text or "").strip(), nofollow=True, autoescape=True)
    paragraphs = [p.replace("\n", "<br>") for p in linked.split("\n\n") if p.strip()]
    return sanitize_html("".join(f"<p>{p}</p>" for p in paragraphs))
