"""Short captions drawn from the page's own sentences, for slides, scenes and summaries."""

from __future__ import annotations

import re

from atlas.model import Page

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]


def shorten(sentence: str, limit: int = 170) -> str:
    """Cut a long sentence at a clause or word boundary, marking the cut with an ellipsis."""
    if len(sentence) <= limit:
        return sentence
    cut = sentence[:limit]
    for mark in ("; ", ", "):
        at = cut.rfind(mark)
        if at > limit * 0.6:
            return cut[:at].rstrip() + "…"
    return cut.rsplit(" ", 1)[0].rstrip(",;:") + "…"


def sentence_mentioning(page: Page, phrase: str, limit: int = 400) -> str | None:
    """The first sentence of the page that contains `phrase` (case-insensitive), or None."""
    for section in page.sections:
        for sentence in sentences(section.body):
            if phrase.lower() in sentence.lower():
                return shorten(sentence, limit)
    return None


def caption(page: Page, keywords: tuple[str, ...] = (), limit: int = 170) -> str:
    """The first sentence of the page that mentions one of `keywords` (the first sentence if none)."""
    all_sentences = [s for section in page.sections for s in sentences(section.body)]
    if not all_sentences:
        return ""
    for sentence in all_sentences:
        if any(re.search(rf"\b{re.escape(k)}", sentence, re.IGNORECASE) for k in keywords):
            return shorten(sentence, limit)
    return shorten(all_sentences[0], limit)
