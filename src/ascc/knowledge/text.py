"""Text analysis shared by indexing and querying: tokens, spelling variants, stems, snippets.

Query strings are never passed to a database as syntax: they are cut into word tokens here
(letters and digits only), so quotes, operators, parentheses, ``NEAR`` or ``*`` can only ever be
words. Indonesian is stemmed with Sastrawi, English with the Snowball English stemmer; a query
token matches either stem, because a query does not say its language.

Thread safety: neither stemmer object may be shared between threads (Snowball keeps the word being
stemmed in the object; Sastrawi's own result cache is an unbounded dict). Each thread stems with
its own stemmers (:func:`_stemmers`, a ``threading.local``; Sastrawi's dictionary, only read, is
loaded once and shared); the ``lru_cache`` in front of them is itself thread-safe, so a stem in the
cache is always the one a thread alone computes.
"""

from __future__ import annotations

import html
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from itertools import accumulate, islice

import snowballstemmer
from Sastrawi.Dictionary.ArrayDictionary import ArrayDictionary
from Sastrawi.Stemmer.Stemmer import Stemmer
from Sastrawi.Stemmer.StemmerFactory import StemmerFactory
from snowballstemmer.basestemmer import BaseStemmer

TOKEN = re.compile(r"[^\W_]+", re.UNICODE)

#: spelling variants folded to one form, at index and at query time (lower-case text)
VARIANTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:be)?kerja[\s\-]+sama\b"), "kerjasama"),
    (re.compile(r"\bbekerjasama\b"), "kerjasama"),
    (re.compile(r"\bdarusalam\b"), "darussalam"),
    (re.compile(r"\bco[\s\-]operation\b"), "cooperation"),
    (re.compile(r"\bprogrammes?\b"), "program"),
    (re.compile(r"\bsouth[\s\-]east\s+asia"), "southeast asia"),
    (re.compile(r"\bsosial[\s\-]budaya\b"), "sosial budaya"),
]

#: the first words of the VARIANTS that join words into one ("kerja sama" → "kerjasama"): a snippet
#: folds the few words from each of these on together, to mark the words the index joined
JOINS_FROM = frozenset({"kerja", "bekerja", "co", "south"})

#: question and function words (Indonesian and English): they never decide whether an entry matches
#: (dropped from the query's required words unless the query has nothing else), so "Apa tujuan
#: dilakukan kerjasama ASEAN pada bidang sosial" asks for "tujuan kerjasama asean bidang sosial"
QUESTION_WORDS_ID = (
    "apa apakah apaan bagaimana bagaimanakah gimana siapa siapakah kapan kapankah mengapa mengapakah "
    "kenapa dimana dimanakah mana manakah berapa berapakah sebutkan sebutkanlah jelaskan jelaskanlah "
    "tulislah tuliskan tuliskanlah tulis sebut uraikan uraikanlah terangkan terangkanlah berikan "
    "deskripsikan definisikan artinya maksud maksudnya dilakukan melakukan lakukan dilaksanakan"
)
FUNCTION_WORDS_ID = (
    "yang dan di ke dari pada untuk dalam dengan ini itu adalah ialah yaitu yakni merupakan oleh atau "
    "serta juga para akan telah sudah sedang dapat bisa ada sebagai tersebut karena agar bagi tentang "
    "mengenai terhadap saja pun lah kah nya si sang se hal sebuah suatu seperti secara antara lain "
    "kita kami saya anda mereka ia dia tolong mohon"
)
QUESTION_WORDS_EN = (
    "what whats which who whom whose when where why how list explain describe name define give tell "
    "show outline state mention identify summarise summarize"
)
FUNCTION_WORDS_EN = (
    "is are was were be been being the a an of in on at for to and or by with from as that this these "
    "those does do did done its it into about me please can could should would will shall may might "
    "i we you our my your their there they them some any s"
)
STOPWORDS = frozenset(
    " ".join((QUESTION_WORDS_ID, FUNCTION_WORDS_ID, QUESTION_WORDS_EN, FUNCTION_WORDS_EN)).split()
)

#: Sastrawi's root words, loaded once and only read (``contains``), so shared by every thread
_ID_WORDS = ArrayDictionary(StemmerFactory().get_words())
_local = threading.local()


def _stemmers() -> tuple[Stemmer, BaseStemmer]:
    """This thread's (Indonesian, English) stemmers: neither is safe to share between threads. The
    bare Sastrawi ``Stemmer``, without the factory's unbounded result cache (``stem_id`` caches)."""
    held = getattr(_local, "stemmers", None)
    if held is None:
        held = _local.stemmers = (Stemmer(_ID_WORDS), snowballstemmer.stemmer("english"))
    return held


def fold(text: str) -> str:
    """Compatibility forms as their plain letters and digits (NFKC: "ﬁ" → "fi", "²" → "2",
    full-width "ＡＳＥＡＮ" → "ASEAN", as PDF text often has them), lower case, spelling variants
    folded."""
    text = unicodedata.normalize("NFKC", text).lower()
    for pattern, repl in VARIANTS:
        text = pattern.sub(repl, text)
    return text


#: a dot, slash or underscore between letters or digits (codes, numbers, addresses)
JOINED = re.compile(r"(?<=[^\W_])[./_](?=[^\W_])")


def fold_split(text: str) -> str:
    """:func:`fold`, with codes, numbers and addresses cut where a query cuts them
    (``SL.UEM.1524.FE.ZS`` → ``sl uem 1524 fe zs``): PostgreSQL's parser would keep each one token
    that no query word matches. For the texts PostgreSQL indexes."""
    return JOINED.sub(" ", fold(text))


@lru_cache(maxsize=200_000)
def fold_word(word: str) -> str:
    """:func:`fold` of one word, remembered (snippets fold every word of every hit)."""
    return fold(word)


def tokens(text: str) -> list[str]:
    return TOKEN.findall(fold(text))


@lru_cache(maxsize=200_000)
def stem_id(token: str) -> str:
    """Sastrawi's stem of an Indonesian word; other tokens as they are (Sastrawi drops every letter
    outside a-z, so "Nội" would become "n i")."""
    if not (token.isascii() and token.isalpha()):
        return token
    return _stemmers()[0].stem(token) or token


@lru_cache(maxsize=200_000)
def stem_en(token: str) -> str:
    if not token.isalpha():
        return token
    return _stemmers()[1].stemWord(token)


def stem(token: str, lang: str) -> str:
    return stem_id(token) if lang == "id" else stem_en(token)


def analyse(text: str, lang: str) -> str:
    """The stemmed terms of ``text`` (a space-separated string, the form the SQLite index holds)."""
    return " ".join(stem(t, lang) for t in tokens(text))


def query_groups(q: str, *, keep_stopwords: bool = False) -> list[list[str]]:
    """One group per query word: the word's possible index terms (either language's stem).

    Stop words are dropped unless the query has nothing else. Groups are de-duplicated.
    """
    words = tokens(q)[:32]
    content = [w for w in words if w not in STOPWORDS]
    if content and not keep_stopwords:
        words = content
    groups: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()
    for w in words:
        alts = tuple(dict.fromkeys([stem_id(w), stem_en(w), w]))
        if alts not in seen:
            seen.add(alts)
            groups.append(list(alts))
    return groups


def query_words(q: str) -> list[str]:
    """The query's content words (folded, unstemmed), for the PostgreSQL configurations."""
    return [g[-1] for g in query_groups(q)]


@lru_cache(maxsize=200_000)
def bare(word: str) -> str:
    """``word`` without diacritics ("hà" → "ha"), as the SQLite index matches words."""
    if word.isascii():
        return word
    return "".join(ch for ch in unicodedata.normalize("NFD", word) if not unicodedata.combining(ch))


def _wanted(folded: str, wanted: set[str]) -> bool:
    return bare(folded) in wanted or bare(stem_id(folded)) in wanted or bare(stem_en(folded)) in wanted


def snippet(
    text: str, groups: list[list[str]], *, width: int = 32, marks: dict[str, bool] | None = None
) -> str:
    """HTML-escaped window of ``text`` around the densest run of query matches, matches in <mark>.

    ``groups`` are :func:`query_groups`; a text token matches when its folded form or either stem
    is one of a group's terms. ``marks`` remembers which words match across the snippets of one
    query (pass the same dict with the same ``groups``).
    """
    wanted = {bare(t) for g in groups for t in g}
    seen: dict[str, bool] = {} if marks is None else marks
    words = TOKEN.findall(text)
    for word in set(words).difference(seen):
        seen[word] = _wanted(fold_word(word), wanted)
    flags = [seen[word] for word in words]
    joins = {word for word in set(words) if fold_word(word) in JOINS_FROM}
    for i in [i for i, word in enumerate(words) if word in joins] if joins else ():
        word = words[i]  # words the index joined ("Kerja Sama", "co-operation") match as one
        if not flags[i] and i + 1 < len(words):
            joined = TOKEN.findall(fold(" ".join(words[i : i + 3])))
            if joined and joined[0] != fold_word(word) and _wanted(joined[0], wanted):
                flags[i] = flags[i + 1] = True
    if not flags:
        return html.escape(text[:200])
    lo = 0
    if len(flags) > width:  # the first window with the most matches
        before = list(accumulate(flags, initial=0))
        sums = [before[i + width] - before[i] for i in range(len(flags) - width + 1)]
        lo = sums.index(max(sums))
    spans = list(islice(TOKEN.finditer(text), lo, lo + width))
    start, end = spans[0].start(), spans[-1].end()
    out: list[str] = ["… " if start > 0 else ""]
    pos = start
    for m, f in zip(spans, flags[lo : lo + width], strict=True):
        if f:  # the text up to a match escaped in one piece, then the match marked
            out.append(f"{html.escape(text[pos : m.start()])}<mark>{html.escape(m.group(0))}</mark>")
            pos = m.end()
    out.append(html.escape(text[pos:end]))
    if end < len(text):
        out.append(" …")
    return "".join(out)


def contains_phrase(haystack: str, phrase: str) -> bool:
    """Whole-word occurrence of the folded ``phrase`` in folded ``haystack``."""
    return re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", haystack) is not None


def unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))
