"""The 13 ShapeNet classes of the 3D-R2N2 data set and the 7-class subset."""

from __future__ import annotations

from typing import Iterable, Sequence

# synset id -> name, in synset order (the order 3D-R2N2 and its successors use)
SYNSETS: dict[str, str] = {
    "02691156": "airplane",
    "02828884": "bench",
    "02933112": "cabinet",
    "02958343": "car",
    "03001627": "chair",
    "03211117": "display",
    "03636649": "lamp",
    "03691459": "speaker",
    "04090263": "rifle",
    "04256520": "sofa",
    "04379243": "table",
    "04401088": "telephone",
    "04530566": "watercraft",
}
NAME_TO_SYNSET: dict[str, str] = {v: k for k, v in SYNSETS.items()}
ALL_CLASSES: tuple[str, ...] = tuple(SYNSETS.values())
SEVEN_CLASSES: tuple[str, ...] = ("airplane", "car", "chair", "display", "speaker", "table", "telephone")
ALIASES = {"phone": "telephone", "monitor": "display", "loudspeaker": "speaker", "boat": "watercraft", "plane": "airplane"}


def resolve_class(token: str) -> str:
    """A class name, alias or synset id -> canonical name; ValueError names the bad token."""
    t = token.strip().lower()
    t = ALIASES.get(t, t)
    if t in NAME_TO_SYNSET:
        return t
    if t in SYNSETS:
        return SYNSETS[t]
    raise ValueError(f"unknown class {token!r}; known: {', '.join(ALL_CLASSES)}")


def resolve_classes(spec: str | Sequence[str] | None) -> list[str]:
    """'7' / '13' / 'all' / 'chair,table' / a list -> canonical names in synset order."""
    if spec is None:
        return list(ALL_CLASSES)
    if isinstance(spec, str):
        s = spec.strip().lower()
        if s in ("13", "all"):
            return list(ALL_CLASSES)
        if s == "7":
            return sorted(SEVEN_CLASSES, key=lambda n: NAME_TO_SYNSET[n])
        tokens: Iterable[str] = [p for p in s.split(",") if p.strip()]
    else:
        tokens = spec
    names = {resolve_class(t) for t in tokens}
    if not names:
        raise ValueError("empty class list")
    return sorted(names, key=lambda n: NAME_TO_SYNSET[n])
