"""A merchant's catalog: products with exact prices and stock, generated from a seed.

Stock lives here and changes only through :meth:`Catalog.take`, which checks every line before
it decrements any, so an order is either wholly filled or refused: never oversold.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from faker import Faker

from merchants.markets import market_for
from merchants.taxonomy import category, general_mix


@dataclass(slots=True)
class Product:
    """One purchasable item. ``price`` is in minor units of the catalog's currency."""

    id: str
    title: str
    description: str
    category: str
    brand: str
    price: int
    stock: int
    rating: float
    review_count: int
    attributes: dict[str, str] = field(default_factory=dict)
    allow_backorder: bool = False

    @property
    def available(self) -> bool:
        return self.stock > 0 or self.allow_backorder


@dataclass(frozen=True, slots=True)
class CatalogSpec:
    """How to generate a catalog: size, category mix, stock range, seed."""

    size: int = 250
    categories: Mapping[str, float] = field(default_factory=general_mix)
    stock_min: int = 0
    stock_max: int = 40
    backorder_share: float = 0.0
    id_prefix: str = "item"
    market: str | None = None  # merchants.markets: None follows the currency


class OutOfStock(Exception):
    """Raised by :meth:`Catalog.take` naming the first product that cannot be filled."""

    def __init__(self, product_id: str, wanted: int, stock: int) -> None:
        super().__init__(f"{product_id}: wanted {wanted}, {stock} in stock")
        self.product_id, self.wanted, self.stock = product_id, wanted, stock


class Catalog:
    """Products by id, in a stable order, with stock accounting and a sold-units tally."""

    def __init__(self, products: Iterable[Product], currency: str = "usd") -> None:
        self.currency = currency
        self._products: dict[str, Product] = {p.id: p for p in products}
        self.initial_stock = {p.id: p.stock for p in self._products.values()}
        self.supplied = dict(self.initial_stock)  # every unit ever put on the shelf
        self.sold: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._products)

    def __iter__(self) -> Iterator[Product]:
        return iter(self._products.values())

    def __contains__(self, product_id: object) -> bool:
        return product_id in self._products

    def get(self, product_id: str) -> Product | None:
        return self._products.get(product_id)

    def shortage(self, quantities: Mapping[str, int]) -> OutOfStock | None:
        """The first product :meth:`take` could not fill ``quantities`` of, or None: for a
        check before something that cannot be undone (a charge)."""
        for product_id, qty in quantities.items():
            product = self._products[product_id]
            if not product.allow_backorder and product.stock < qty:
                return OutOfStock(product_id, qty, product.stock)
        return None

    def take(self, quantities: Mapping[str, int]) -> None:
        """Decrement stock for every line, or for none: raises :class:`OutOfStock` first."""
        short = self.shortage(quantities)
        if short is not None:
            raise short
        for product_id, qty in quantities.items():
            self._products[product_id].stock -= qty
            self.sold[product_id] = self.sold.get(product_id, 0) + qty

    def put_back(self, quantities: Mapping[str, int]) -> None:
        """Units sold that come back to the shelf (a canceled order, a forfeited presale)."""
        for product_id, qty in quantities.items():
            self._products[product_id].stock += qty
            sold = self.sold.get(product_id, 0) - qty
            if sold > 0:
                self.sold[product_id] = sold
            else:
                self.sold.pop(product_id, None)

    def restock(self) -> int:
        """Bring every product back up to its initial stock; returns the units received."""
        received = 0
        for product in self._products.values():
            missing = self.initial_stock[product.id] - product.stock
            if missing > 0:
                product.stock += missing
                self.supplied[product.id] += missing
                received += missing
        return received

    def oversold_units(self) -> int:
        """Units sold beyond all stock ever supplied, for products without backorders."""
        return sum(
            max(0, self.sold.get(p.id, 0) - self.supplied[p.id])
            for p in self._products.values()
            if not p.allow_backorder
        )

    @classmethod
    def generate(cls, spec: CatalogSpec, seed: int, currency: str = "usd") -> Catalog:
        """A deterministic catalog for ``seed``: same spec and seed, same products, priced at
        the levels of the spec's market (or the one ``currency`` implies)."""
        market = market_for(currency, spec.market)
        rng = random.Random(seed)
        fake = Faker("en_US")
        fake.seed_instance(seed)
        brands = [_brand(fake) for _ in range(max(8, spec.size // 12))]
        ids = sorted(spec.categories)
        weights = [spec.categories[c] for c in ids]
        products = []
        for n in range(spec.size):
            cat = category(rng.choices(ids, weights)[0])
            noun, adj, material = (
                rng.choice(cat.nouns),
                rng.choice(cat.adjectives),
                rng.choice(cat.materials),
            )
            attrs = {name: rng.choice(values) for name, values in sorted(cat.attributes.items())}
            price = market.price(rng, cat.id)
            products.append(
                Product(
                    id=f"{spec.id_prefix}_{n:05d}",
                    title=f"{adj.title()} {material.title()} {noun.title()}",
                    description=f"{adj.capitalize()} {noun} in {material}. "
                    + fake.sentence(nb_words=10),
                    category=cat.id,
                    brand=rng.choice(brands),
                    price=price,
                    stock=rng.randint(spec.stock_min, spec.stock_max),
                    rating=round(min(5.0, max(1.0, rng.betavariate(8, 2) * 5)), 1),
                    review_count=int(rng.lognormvariate(3.0, 1.2)),
                    attributes=attrs,
                    allow_backorder=rng.random() < spec.backorder_share,
                )
            )
        return cls(products, currency)


def _brand(fake: Faker) -> str:
    return f"{fake.last_name()} {fake.random_element(('Goods', 'Studio', 'Supply', 'Co', 'Works'))}"
