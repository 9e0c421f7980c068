"""Readable plain text from (already sanitised) HTML, for messages that came with HTML only."""

import re
from html.parser import HTMLParser

BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "dd", "div", "dl", "dt", "fieldset",
    "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "tbody", "tfoot", "thead",
    "tr", "ul",
}  # fmt: skip
SKIP_TAGS = {"head", "script", "style", "template", "title"}


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIP_TAGS:
            self.skipping += 1
        elif tag == "br":
            self.chunks.append("\n")
        elif tag in ("td", "th"):
            self.chunks.append(" ")
        elif tag == "li":
            self.chunks.append("\n- ")
        elif tag in BLOCK_TAGS:
            self.chunks.append("\n\n" if tag in ("p", "div", "table", "blockquote") else "\n")

    def handle_startendtag(self, tag, attrs):
        if tag in ("br", "hr"):
            self.chunks.append("\n")

    def handle_endtag(self, tag):
        if tag in SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCK_TAGS and tag != "li":
            self.chunks.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.chunks.append(re.sub(r"[ \t\r\n\f]+", " ", data))


def html_to_text(markup):
    """Visible text of ``markup`` with paragraphs and line breaks kept; never raises."""
    extractor = _TextExtractor()
    try:
        extractor.feed(markup or "")
        extractor.close()
        text = "".join(extractor.chunks)
    except Exception:  # html.parser gives up on some broken markup: strip tags instead
        text = re.sub(r"<[^>]*>", " ", markup or "")
    lines = [" ".join(line.replace("\xa0", " ").split()) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
