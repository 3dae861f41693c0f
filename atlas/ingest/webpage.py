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
from collections.abc import Callable
from functools import partial

from bs4 import BeautifulSoup, NavigableString, PageElement, Tag

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

Step = Callable[[], "list[Step] | None"]


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


def _is_content(tag: Tag) -> bool:
    return tag.name in _CONTENT_TAGS or (tag.get("role") or "").lower() == "main"


def _remove_chrome(soup: BeautifulSoup) -> None:
    doomed = []
    # Tags come parents first, so whether each lies inside the content is known from its parent, not
    # by climbing all its ancestors (which, in markup nested thousands deep, takes the depth squared).
    inside_content: set[int] = set()
    for tag in soup.find_all(True):
        if isinstance(tag.parent, Tag) and (id(tag.parent) in inside_content or _is_content(tag.parent)):
            inside_content.add(id(tag))
        role = (tag.get("role") or "").lower()
        hidden = tag.has_attr("hidden") or (tag.get("aria-hidden") or "").lower() == "true"
        marks = " ".join([*(tag.get("class") or ()), tag.get("id") or "", tag.get("aria-label") or ""]).lower()
        if tag.name in _DROPPED_TAGS or role in _DROPPED_ROLES or hidden or _CHROME_MARKS.search(marks):
            doomed.append(tag)
        elif (tag.name in _CHROME_TAGS or role in _CHROME_ROLES) and id(tag) not in inside_content:
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
        self.next_number: dict[int, int] = {}  # the next number in each <ol> (by id), while writing

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
    # Each step writes what it can and returns the steps that follow it, in order. They wait on a
    # stack rather than in nested calls, so markup nested thousands deep is read like any other.

    def walk(self, node: Tag) -> None:
        steps: list[Step] = [partial(self._children, node)]
        while steps:
            more = steps.pop()()
            if more:
                steps.extend(reversed(more))

    def _children(self, node: Tag) -> list[Step]:
        return [partial(self._node, child) for child in node.children]

    def _node(self, node: PageElement) -> list[Step] | None:
        if type(node) is NavigableString:  # not a comment, doctype, CDATA or script text
            self.write(str(node))
        elif isinstance(node, Tag):
            return self._element(node)
        return None

    def _element(self, tag: Tag) -> list[Step] | None:
        name = tag.name
        children = partial(self._children, tag)
        if name == "br":
            self.end_line()
        elif name == "li":
            return self._list_item(tag)
        elif name in _ROW_TAGS:
            self.end_line()
            return [children, self.end_line]
        elif name in _CELL_TAGS:
            if self.line:
                self.space = True
            return [children, self._space_after]
        elif name == "pre":
            self.end_block()
            self.preformatted += 1
            return [children, self._end_preformatted]
        elif name in _BLOCK_TAGS or name in _LIST_TAGS:
            self.end_block()
            return [children, self.end_block]
        elif name != "img":  # an image's alt text describes a picture, not the page's words
            return [children]
        return None

    def _list_item(self, tag: Tag) -> list[Step]:
        self.end_line()
        self.marker = self._item_marker(tag)
        steps: list[Step] = []
        for child in tag.children:
            if type(child) is NavigableString:
                steps.append(partial(self.write, str(child)))
            elif not isinstance(child, Tag):
                continue
            elif child.name in _LIST_TAGS:  # a nested list ends this item's line and lists its own items
                steps += [self.end_line, partial(self._children, child)]
            elif child.name == "br" or child.name in _BLOCK_TAGS:  # the item stays on one line
                steps += [self._keep_on_line, partial(self._children, child), self._keep_on_line]
            else:
                steps.append(partial(self._element, child))
        steps.append(self._end_item)
        return steps

    def _space_after(self) -> None:
        self.space = True

    def _end_preformatted(self) -> None:
        self.preformatted -= 1
        self.end_block()

    def _keep_on_line(self) -> None:
        self.space = bool(self.line)

    def _end_item(self) -> None:
        self.end_line()
        self.marker = ""

    def _item_marker(self, item: Tag) -> str:
        """ "- " for a bulleted item, "3. " for the third item of a numbered list.

        Items are counted as they are written, once each: finding an item among all its list's
        items again for every one of them would take a long list's length squared.
        """
        parent = item.parent
        if not isinstance(parent, Tag) or parent.name != "ol":
            return "- "
        number = self.next_number.get(id(parent))
        if number is None:
            number = _list_start(parent)
        self.next_number[id(parent)] = number + 1
        return f"{number}. "


def _list_start(ol: Tag) -> int:
    """The number of an <ol>'s first item: its start attribute if that is a plain number, else 1."""
    start = str(ol.get("start") or "1").strip()
    # isdigit() alone lets through "²" and numbers too long for int()
    return int(start) if start.isascii() and start.isdigit() and len(start) <= 9 else 1
