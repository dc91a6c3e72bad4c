"""Text analysis from many threads at once (the server's request threads): every stem equals the
stem one thread alone gives, and no wrong stem is left in the cache."""

from __future__ import annotations

import random
import sys
import threading

from ascc.knowledge import text as t
from tests.conftest import SEEDS

THREADS = 8
ROUNDS = 4


def _words() -> list[str]:
    """The seed documents' alphabetic words (English and Indonesian), a few thousand."""
    found: dict[str, None] = {}
    for path in sorted(SEEDS.rglob("*")):
        if path.is_file() and path.suffix in {".md", ".txt", ".yaml", ".yml", ".html"}:
            for word in t.tokens(path.read_text(encoding="utf-8", errors="replace")):
                if word.isascii() and word.isalpha() and len(word) > 3:
                    found[word] = None
    words = list(found)
    assert len(words) > 500, "the seed documents give too few words for the test"
    return words[:3000]


def _clear() -> None:
    t.stem_en.cache_clear()
    t.stem_id.cache_clear()


def test_stems_from_many_threads_equal_single_threaded_stems():
    words = _words()
    _clear()
    expected = {w: (t.stem_en(w), t.stem_id(w)) for w in words}
    wrong: list[tuple[str, tuple[str, str], tuple[str, str]]] = []
    errors: list[BaseException] = []
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible: a shared stemmer's state races
    try:
        for round_ in range(ROUNDS):
            _clear()
            barrier = threading.Barrier(THREADS)

            def work(seed: int, barrier: threading.Barrier = barrier) -> None:
                order = words[:]
                random.Random(seed).shuffle(order)  # each thread stems other words at the same time
                barrier.wait()
                try:
                    for w in order:
                        got = (t.stem_en(w), t.stem_id(w))
                        if got != expected[w]:
                            wrong.append((w, got, expected[w]))
                except BaseException as exc:
                    errors.append(exc)

            threads = [threading.Thread(target=work, args=(round_ * THREADS + i,)) for i in range(THREADS)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
            # what the threads left in the cache is what later calls get: it must be right too
            wrong.extend(
                (w, got, expected[w]) for w in words if (got := (t.stem_en(w), t.stem_id(w))) != expected[w]
            )
    finally:
        sys.setswitchinterval(interval)
        _clear()
    assert not errors and not wrong, (
        f"{len(errors)} errors {errors[:3]}, {len(wrong)} wrong stems {wrong[:5]}"
    )


def test_analyse_and_query_groups_from_many_threads():
    """The whole analysis (tokens, folding, both stems, query groups) as the search calls it."""
    texts = [
        "Disaster management and humanitarian assistance in Southeast Asia",
        "Kerja sama penanggulangan bencana di kawasan Asia Tenggara",
        "Programmes on education, youth and women's empowerment",
        "Pemberdayaan perempuan dan perlindungan anak berkelanjutan",
    ] * 50
    _clear()
    expected = [(t.analyse(x, "en"), t.analyse(x, "id"), t.query_groups(x)) for x in texts]
    results: list[list] = [[] for _ in range(THREADS)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        _clear()

        def work(i: int) -> None:
            for x in texts:
                results[i].append((t.analyse(x, "en"), t.analyse(x, "id"), t.query_groups(x)))
                t.stem_en.cache_clear()  # stem again, not only read the cache

        threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
    finally:
        sys.setswitchinterval(interval)
        _clear()
    for got in results:
        assert got == expected
