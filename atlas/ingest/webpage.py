"""Saved web pages: the text a reader sees on a page saved from a browser, without its markup.

A page saved as HTML must build to the same result as the same page saved as text, so this
module writes the text form the parser already reads: headings and paragraphs as blocks
separated by a blank line, list items as "- item" lines (numbered items as "1. item"), a <br>
as a line break. Site chrome (navigation, page header and footer, scripts, styles, forms) is
removed; an <article>'s own header and footer are kept, since the source line and review date
may sit there. Only text comes out: tags are dropped and entities decoded to characters.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag

# Never part of the page's text.
_DROPPED_TAGS = ("head", "script", "style", "noscript", "template", "form", "nav", "iframe", "frame", "object",
                 "embed", "svg", "math", "canvas", "button", "select", "textarea", "input", "label", "dialog",
                 "audio", "video", "map")
_DROPPED_ROLES = ("navigation", "search", "menu", "menubar", "toolbar", "dialog", "alert")
# Site chrome unless it belongs to the article itself.
_CHROME_TAGS = ("header", "footer", "aside")
_CHROME_ROLES = ("banner", "contentinfo", "complementary")
_CONTENT_TAGS = ("article", "main")
# Class, id or label of the usual navigation aids and notices that are not marked up as <nav>.
_CHROME_MARKS = re.compile(r"breadcrumb|skip-?link|skip-?to|cookie|visually-hidden|sr-only")

_BLOCK_TAGS = frozenset("""
address article aside blockquote body caption center dd details div dl dt fieldset figcaption figure footer
h1 h2 h3 h4 h5 h6 header hgroup hr html legend main ol p pre section summary table tbody tfoot thead ul
""".split())
_LIST_TAGS = ("ul", "ol", "dl", "menu")
_ROW_TAGS = ("tr", "dt", "dd")
_CELL_TAGS = ("td", "th")


def html_to_text(html: str | bytes) -> str:
    """The visible text of a saved web page, laid out like a text copy of the page.

    Bytes are decoded as the page declares (BOM, <meta charset>), falling back to detection.
    """
    soup = BeautifulSoup(html, "lxml")
    _remove_chrome(soup)
    writer = _TextWriter()
    writer.walk(_content(soup))
    return writer.text()


def looks_like_html(text: str) -> bool:
    """True for a saved web page, whatever its file name says."""
    start = text.lstrip("\ufeff \t\r\n")[:200].lower()
    return start.startswith(("<!doctype html", "<html", "<?xml")) and "<html" in text[:5000].lower()


def _content(soup: BeautifulSoup) -> Tag:
    """The page's main content when the markup marks it (breadcrumbs and sidebars lie outside), else the body."""
    main = soup.find("main") or soup.find(attrs={"role": "main"})
    if isinstance(main, Tag):
        return main
    articles = soup.find_all("article")
    if len(articles) == 1:
        return articles[0]
    return soup.body or soup


def _inside_content(tag: Tag) -> bool:
    return any(parent.name in _CONTENT_TAGS or (parent.get("role") or "").lower() == "main"
               for parent in tag.parents if isinstance(parent, Tag))


def _remove_chrome(soup: BeautifulSoup) -> None:
    doomed = []
    for tag in soup.find_all(True):
        role = (tag.get("role") or "").lower()
        hidden = tag.has_attr("hidden") or (tag.get("aria-hidden") or "").lower() == "true"
        marks = " ".join([*(tag.get("class") or ()), tag.get("id") or "", tag.get("aria-label") or ""]).lower()
        if tag.name in _DROPPED_TAGS or role in _DROPPED_ROLES or hidden or _CHROME_MARKS.search(marks):
            doomed.append(tag)
        elif (tag.name in _CHROME_TAGS or role in _CHROME_ROLES) and not _inside_content(tag):
            doomed.append(tag)
    for tag in doomed:
        if not tag.decomposed:
            tag.decompose()


class _TextWriter:
    """Accumulates text as lines and blank-line-separated blocks, collapsing HTML whitespace."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.line: list[str] = []
        self.marker = ""  # "- " or "3. " before a list item's text
        self.space = False
        self.preformatted = 0

    # -- layout ---------------------------------------------------------------------------

    def end_line(self) -> None:
        text = "".join(self.line).strip()
        if text:
            self.lines.append(self.marker + text)
            self.marker = ""
        self.line, self.space = [], False

    def end_block(self) -> None:
        self.end_line()
        self.marker = ""
        if self.lines and self.lines[-1] != "":
            self.lines.append("")

    def write(self, text: str) -> None:
        if self.preformatted:
            for index, part in enumerate(text.split("\n")):
                if index:
                    self.end_line()
                self.line.append(part)
            return
        words = text.split()
        if not words:
            self.space = self.space or bool(self.line)
            return
        if self.line and (self.space or text[:1].isspace()):
            self.line.append(" ")
        self.line.append(" ".join(words))
        self.space = text[-1:].isspace()

    def text(self) -> str:
        self.end_line()
        while self.lines and self.lines[-1] == "":
            self.lines.pop()
        return "\n".join(self.lines) + "\n"

    # -- the tree -------------------------------------------------------------------------

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if type(child) is NavigableString:  # not a comment, doctype, CDATA or script text
                self.write(str(child))
            elif isinstance(child, Tag):
                self.element(child)

    def element(self, tag: Tag) -> None:
        name = tag.name
        if name == "br":
            self.end_line()
        elif name == "li":
            self.list_item(tag)
        elif name in _ROW_TAGS:
            self.end_line()
            self.walk(tag)
            self.end_line()
        elif name in _CELL_TAGS:
            if self.line:
                self.space = True
            self.walk(tag)
            self.space = True
        elif name == "pre":
            self.end_block()
            self.preformatted += 1
            self.walk(tag)
            self.preformatted -= 1
            self.end_block()
        elif name in _BLOCK_TAGS or name in _LIST_TAGS:
            self.end_block()
            self.walk(tag)
            self.end_block()
        elif name != "img":  # an image's alt text describes a picture, not the page's words
            self.walk(tag)

    def list_item(self, tag: Tag) -> None:
        self.end_line()
        self.marker = _item_marker(tag)
        for child in tag.children:
            if type(child) is NavigableString:
                self.write(str(child))
            elif not isinstance(child, Tag):
                continue
            elif child.name in _LIST_TAGS:  # a nested list ends this item's line and lists its own items
                self.end_line()
                self.walk(child)
            elif child.name == "br" or child.name in _BLOCK_TAGS:  # the item stays on one line
                self.space = bool(self.line)
                self.walk(child)
                self.space = bool(self.line)
            else:
                self.element(child)
        self.end_line()
        self.marker = ""


def _item_marker(item: Tag) -> str:
    """ "- " for a bulleted item, "3. " for the third item of a numbered list."""
    parent = item.parent
    if not isinstance(parent, Tag) or parent.name != "ol":
        return "- "
    start = str(parent.get("start") or "1").strip()
    first = int(start) if start.isdigit() else 1
    siblings = parent.find_all("li", recursive=False)
    return f"{first + siblings.index(item)}. "
