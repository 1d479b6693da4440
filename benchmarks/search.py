"""Search latency: the BM25 inverted index against a naive full scan, on a large catalog.

Builds a generated catalog (100,000 products by default), indexes it, and runs queries drawn
from the taxonomy (a noun, a material and a noun, or a noun and an attribute value; a quarter of
them with a price cap) through :class:`merchants.search.SearchIndex`. The same queries then run
through a full scan that scores every product with the same BM25 formula over the same
pre-tokenized documents, so the ratio measures only what the index saves; both must return the
same products in the same order, which the benchmark checks.

    python benchmarks/search.py [--size N] [--queries N] [--scan-queries N] [--seed N]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from faker import Faker

from merchants.catalog import Catalog, CatalogSpec, Product
from merchants.search import SearchIndex, tokenize
from merchants.taxonomy import CATEGORIES

_K1, _B = 1.2, 0.75  # as in merchants.search


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    max_price: int | None


def draw_queries(count: int, seed: int) -> list[Query]:
    """Shopper-like queries from the taxonomy's words, deterministic for ``seed``."""
    rng = random.Random(seed)
    categories = [CATEGORIES[c] for c in sorted(CATEGORIES)]
    queries = []
    for _ in range(count):
        cat = rng.choice(categories)
        noun, form = rng.choice(cat.nouns), rng.random()
        if form < 0.4:
            text = noun
        elif form < 0.8:
            text = f"{rng.choice(cat.materials)} {noun}"
        else:
            values = rng.choice([v for _, v in sorted(cat.attributes.items())])
            text = f"{rng.choice(values)} {noun}"
        cap = cat.median_price if rng.random() < 0.25 else None
        queries.append(Query(text, cap))
    return queries


class FullScan:
    """BM25 by visiting every product per query: what search costs without an index."""

    def __init__(self, catalog: Catalog) -> None:
        self._docs: list[tuple[Product, Counter[str], int]] = []
        df: Counter[str] = Counter()
        for product in catalog:
            terms = tokenize(
                " ".join(
                    (
                        product.title,
                        product.category.replace("_", " "),
                        product.brand,
                        " ".join(product.attributes.values()),
                    )
                )
            )
            counts = Counter(terms)
            self._docs.append((product, counts, len(terms)))
            df.update(counts.keys())
        count = max(1, len(self._docs))
        self._avg = sum(length for _, _, length in self._docs) / count
        self._idf = {t: math.log(1 + (count - n + 0.5) / (n + 0.5)) for t, n in df.items()}

    def search(self, query: str, *, limit: int = 10, max_price: int | None = None) -> list[Product]:
        terms = [(t, self._idf[t]) for t in set(tokenize(query)) if t in self._idf]
        hits = []
        for product, counts, length in self._docs:
            score, matched = 0.0, False
            for term, idf in terms:
                tf = counts.get(term)
                if tf:
                    norm = _K1 * (1 - _B + _B * length / self._avg)
                    score += idf * tf * (_K1 + 1) / (tf + norm)
                    matched = True
            if matched and (max_price is None or product.price <= max_price):
                hits.append((-score, product.id, product))
        hits.sort(key=lambda h: (h[0], h[1]))
        return [h[2] for h in hits[:limit]]


def _timed(run: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = run()
    return time.perf_counter() - started, result


def _faker_share(size: int, seed: int) -> float:
    """Seconds the generator spends in Faker alone: one sentence per product, plus brands."""
    fake = Faker("en_US")
    fake.seed_instance(seed)
    started = time.perf_counter()
    for _ in range(max(8, size // 12)):
        fake.last_name()
    for _ in range(size):
        fake.sentence(nb_words=10)
    return time.perf_counter() - started


def _ms(seconds: list[float], q: float) -> float:
    return statistics.quantiles(seconds, n=100, method="inclusive")[q - 1] * 1_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument(
        "--scan-queries",
        type=int,
        default=None,
        help="run the full scan on only the first N queries (default: all)",
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    gen_s, catalog = _timed(lambda: Catalog.generate(CatalogSpec(size=args.size), seed=args.seed))
    faker_s = _faker_share(args.size, args.seed)
    print(
        f"catalog:      {len(catalog):,} products generated in {gen_s:.2f} s "
        f"({gen_s / len(catalog) * 1e6:.1f} us/product; Faker alone {faker_s:.2f} s)"
    )

    build_s, index = _timed(lambda: SearchIndex(catalog))
    scan_prep_s, scan = _timed(lambda: FullScan(catalog))
    print(f"index build:  {build_s:.2f} s   (full scan's tokenizing: {scan_prep_s:.2f} s)")

    queries = draw_queries(args.queries, args.seed)
    index_lat, index_ids = [], []
    for q in queries:
        took, hits = _timed(lambda q=q: index.search(q.text, limit=10, max_price=q.max_price))
        index_lat.append(took)
        index_ids.append([h.product.id for h in hits])

    scanned = queries[: args.scan_queries] if args.scan_queries else queries
    scan_lat = []
    for n, q in enumerate(scanned):
        took, products = _timed(lambda q=q: scan.search(q.text, limit=10, max_price=q.max_price))
        scan_lat.append(took)
        if [p.id for p in products] != index_ids[n]:
            raise SystemExit(f"index and full scan disagree on query {q.text!r}")

    same = index_lat[: len(scanned)]
    print(f"queries:      {len(queries):,} (full scan on {len(scanned):,}; results identical)")
    print(
        f"index:        p50 {_ms(index_lat, 50):.3f} ms   p95 {_ms(index_lat, 95):.3f} ms   "
        f"mean {statistics.fmean(index_lat) * 1e3:.3f} ms"
    )
    print(
        f"full scan:    p50 {_ms(scan_lat, 50):.3f} ms   p95 {_ms(scan_lat, 95):.3f} ms   "
        f"mean {statistics.fmean(scan_lat) * 1e3:.3f} ms"
    )
    print(
        f"speed-up:     {statistics.fmean(scan_lat) / statistics.fmean(same):.1f}x on the mean, "
        f"{_ms(scan_lat, 50) / _ms(same, 50):.1f}x at p50, "
        f"{_ms(scan_lat, 95) / _ms(same, 95):.1f}x at p95 (same queries)"
    )


if __name__ == "__main__":
    main()
