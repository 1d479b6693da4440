"""The category taxonomy that generated catalogs draw from.

Each category carries the words its product titles are made of and a lognormal price law
(median and log-sigma), so that generated prices look like a real shop's: most items near the
median, a long tail of expensive ones. Shoppers' needs are drawn from the same taxonomy.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Category:
    """One leaf of the taxonomy: words for titles, a price law, attributes to vary."""

    id: str
    name: str
    nouns: tuple[str, ...]
    adjectives: tuple[str, ...]
    materials: tuple[str, ...]
    median_price: int  # minor units
    price_sigma: float
    attributes: dict[str, tuple[str, ...]]


_COLORS = ("black", "white", "navy", "olive", "red", "grey", "natural", "blue")

CATEGORIES: dict[str, Category] = {
    c.id: c
    for c in (
        Category(
            "apparel",
            "Apparel",
            ("t-shirt", "hoodie", "sweater", "jacket", "shirt", "dress", "beanie", "scarf"),
            ("classic", "relaxed", "slim", "vintage", "everyday", "cozy", "lightweight"),
            ("cotton", "wool", "linen", "fleece", "merino", "denim"),
            4500,
            0.55,
            {"color": _COLORS, "size": ("xs", "s", "m", "l", "xl")},
        ),
        Category(
            "footwear",
            "Footwear",
            ("sneakers", "boots", "sandals", "loafers", "slippers", "running shoes"),
            ("classic", "trail", "waterproof", "minimal", "everyday", "leather"),
            ("leather", "canvas", "suede", "mesh", "rubber"),
            8900,
            0.45,
            {"color": _COLORS, "size": ("7", "8", "9", "10", "11", "12")},
        ),
        Category(
            "kitchen",
            "Kitchen",
            ("chef knife", "skillet", "cutting board", "mug", "teapot", "mixing bowl", "apron"),
            ("professional", "handmade", "rustic", "nonstick", "ceramic", "stackable"),
            ("steel", "cast iron", "walnut", "stoneware", "bamboo", "enamel"),
            3500,
            0.7,
            {"color": _COLORS},
        ),
        Category(
            "electronics",
            "Electronics accessories",
            ("headphones", "charger", "phone case", "speaker", "power bank", "keyboard"),
            ("wireless", "portable", "fast", "compact", "noise cancelling", "ergonomic"),
            ("aluminum", "silicone", "plastic", "fabric"),
            6500,
            0.8,
            {"color": ("black", "white", "grey", "blue")},
        ),
        Category(
            "outdoor",
            "Outdoor",
            ("tent", "backpack", "water bottle", "headlamp", "sleeping bag", "camp chair"),
            ("ultralight", "rugged", "insulated", "packable", "weatherproof"),
            ("nylon", "polyester", "steel", "aluminum", "down"),
            7500,
            0.75,
            {"color": ("olive", "orange", "blue", "grey", "black")},
        ),
        Category(
            "jewelry",
            "Jewelry",
            ("necklace", "ring", "earrings", "bracelet", "pendant", "anklet"),
            ("handmade", "dainty", "minimalist", "vintage", "personalized", "boho"),
            ("sterling silver", "gold filled", "brass", "gemstone", "pearl"),
            3800,
            0.7,
            {"metal": ("silver", "gold", "rose gold", "brass")},
        ),
        Category(
            "home_decor",
            "Home decor",
            ("candle", "vase", "wall art print", "throw pillow", "planter", "wall hanging"),
            ("handmade", "scandinavian", "boho", "rustic", "modern", "hand-painted"),
            ("soy wax", "ceramic", "linen", "macrame", "wood", "glass"),
            3200,
            0.65,
            {"color": _COLORS},
        ),
        Category(
            "toys",
            "Toys and games",
            ("puzzle", "board game", "plush toy", "building set", "wooden toy", "card game"),
            ("educational", "handmade", "classic", "family", "personalized"),
            ("wood", "cardboard", "cotton", "felt", "plastic"),
            2800,
            0.6,
            {"age": ("3+", "6+", "8+", "12+")},
        ),
        # Sold where a catalog names them (a Tmall-like or JD-like shop, merchants.markets);
        # US levels are assumptions (docs/sources.md, "Defaults with no public figure",
        # row 'Phones, beauty and snacks price levels').
        Category(
            "phones",
            "Mobile phones",
            ("smartphone", "phone", "foldable phone"),
            ("flagship", "5g", "compact", "camera", "gaming", "budget"),
            ("glass", "aluminum", "titanium", "plastic"),
            49900,
            0.6,
            {"color": ("black", "white", "blue", "grey"), "storage": ("128gb", "256gb", "512gb")},
        ),
        Category(
            "beauty",
            "Beauty and skincare",
            ("serum", "face cream", "lipstick", "sunscreen", "cleanser", "face mask"),
            ("hydrating", "brightening", "gentle", "matte", "long-lasting", "repairing"),
            ("hyaluronic", "vitamin c", "ceramide", "botanical", "niacinamide"),
            2800,
            0.6,
            {"skin": ("dry", "oily", "combination", "sensitive")},
        ),
        Category(
            "snacks",
            "Snacks",
            ("nuts", "dried fruit", "jerky", "cookies", "seaweed snack", "spicy strips"),
            ("crunchy", "spicy", "sweet", "salted", "family size", "gift box"),
            ("almond", "mango", "beef", "matcha", "sesame", "chili"),
            1200,
            0.5,
            {"flavor": ("original", "spicy", "sweet", "salted")},
        ),
    )
}

#: What a catalog or shopper that names no categories covers: the general-merchandise eight
#: every catalog held before markets added phones, beauty and snacks.
GENERAL_MERCHANDISE = (
    "apparel",
    "electronics",
    "footwear",
    "home_decor",
    "jewelry",
    "kitchen",
    "outdoor",
    "toys",
)


def general_mix() -> dict[str, float]:
    """Equal weights over :data:`GENERAL_MERCHANDISE`: the default category mix."""
    return {name: 1.0 for name in GENERAL_MERCHANDISE}


def category(category_id: str) -> Category:
    """Look up a category by id; a clear error names the unknown id."""
    try:
        return CATEGORIES[category_id]
    except KeyError:
        known = ", ".join(sorted(CATEGORIES))
        raise KeyError(f"unknown category {category_id!r} (known: {known})") from None
