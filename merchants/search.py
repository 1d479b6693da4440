"""Keyword search over a catalog with an inverted index scored by BM25.

The index is built once from titles, categories, brands and attributes; a query touches only
the postings of its own terms (so its cost grows with how common those terms are, not with the
catalog as such), and only the top ``limit`` results are built into hits.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass

from merchants.catalog import Catalog, Product

_TOKEN = re.compile(r"[a-z0-9]+")
_K1, _B = 1.2, 0.75


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens, with a naive plural fold (``mugs`` finds ``mug``)."""
    return [
        t[:-1] if len(t) > 3 and t.endswith("s") and not t.endswith("ss") else t
        for t in _TOKEN.findall(text.lower())
    ]


def _document(product: Product) -> str:
    return " ".join(
        (
            product.title,
            product.category.replace("_", " "),
            product.brand,
            " ".join(product.attributes.values()),
        )
    )


@dataclass(frozen=True, slots=True)
class SearchHit:
    product: Product
    score: float


class SearchIndex:
    """BM25 over an inverted index; ties broken by product id so results are deterministic."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._postings: dict[str, list[tuple[str, int]]] = defaultdict(list)
        self._length: dict[str, int] = {}
        for product in catalog:
            terms = tokenize(_document(product))
            self._length[product.id] = len(terms)
            for term, tf in Counter(terms).items():
                self._postings[term].append((product.id, tf))
        count = max(1, len(self._length))
        self._avg_length = sum(self._length.values()) / count
        self._norm = {
            pid: _K1 * (1 - _B + _B * length / self._avg_length)
            for pid, length in self._length.items()
        }
        self._idf = {
            term: math.log(1 + (count - len(p) + 0.5) / (len(p) + 0.5))
            for term, p in self._postings.items()
        }

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        category: str | None = None,
        max_price: int | None = None,
        in_stock_only: bool = False,
    ) -> list[SearchHit]:
        scores: dict[str, float] = defaultdict(float)
        norm = self._norm
        for term in sorted(set(tokenize(query))):  # a fixed order: float sums must not vary
            idf = self._idf.get(term)
            if idf is None:
                continue
            for product_id, tf in self._postings[term]:
                scores[product_id] += idf * tf * (_K1 + 1) / (tf + norm[product_id])
        catalog = self._catalog
        if category is not None or max_price is not None or in_stock_only:

            def wanted(product_id: str) -> bool:
                product = catalog.get(product_id)
                return product is not None and not (
                    (category is not None and product.category != category)
                    or (max_price is not None and product.price > max_price)
                    or (in_stock_only and not product.available)
                )

            ranked = [(-score, pid) for pid, score in scores.items() if wanted(pid)]
        else:
            ranked = [(-score, pid) for pid, score in scores.items()]
        hits = []
        for negated, pid in heapq.nsmallest(limit, ranked):  # best score, then lowest id
            product = catalog.get(pid)
            if product is not None:
                hits.append(SearchHit(product, -negated))
        return hits
