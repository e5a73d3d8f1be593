"""Inter-annotator agreement: pure functions on plain Python / numpy data (no Django).

Ratings are nominal. A *unit* is an item, a *rater* an annotator, a *value* the category a
rater gave the unit. In a multilabel project each label **set** counts as one nominal category
(``{"spam", "phishing"}`` and ``{"spam"}`` are two different categories, and ``["b", "a"]``
equals ``["a", "b"]``): partial overlap earns no credit. That is strict, but it is the reading
under which the statistics below keep their textbook meaning; see :func:`label_set_key`.

Each unit may have any number of ratings (missing ones are simply absent); a unit with fewer
than two ratings carries no information about agreement and is left out.

- :func:`percent_agreement`: the share of agreeing rater pairs, averaged over units.
- :func:`cohen_kappa`: two raters over the same units (Cohen 1960).
- :func:`fleiss_kappa`: any number of raters (Fleiss 1971); units may have different numbers of
  ratings, in which case each unit's agreement uses its own count (with a constant count it is
  exactly Fleiss' statistic).
- :func:`krippendorff_alpha`: nominal alpha, built from the coincidence matrix, with missing
  data (Krippendorff 2011, "Computing Krippendorff's alpha-reliability").

Every function returns ``None`` where the statistic is undefined (no pairable unit, or no
variation at all so chance agreement is 1).
"""

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np

# Pairs of raters with fewer shared units than this get no kappa (too noisy to mean anything).
MIN_SHARED_UNITS = 5


def label_set_key(labels: Iterable[str]) -> tuple[str, ...]:
    """The nominal category of a label set: order and repeats do not matter."""
    return tuple(sorted(set(labels)))


def majority_labels(votes: Iterable[tuple[int, Sequence[str]]]) -> list[str]:
    """The label set most people gave, from ``(order, labels)`` votes (one per person, ``order``
    increasing with time, e.g. the annotation id).

    A tie goes to the tied set whose latest vote is the most recent; the labels come back as
    that latest vote gave them. No votes: an empty list.
    """
    tally: dict[tuple[str, ...], list] = {}
    for order, labels in votes:
        entry = tally.setdefault(label_set_key(labels), [0, order, list(labels)])
        entry[0] += 1
        if order >= entry[1]:
            entry[1], entry[2] = order, list(labels)
    if not tally:
        return []
    _count, _latest, labels = max(tally.values(), key=lambda entry: (entry[0], entry[1]))
    return labels


@dataclass(frozen=True)
class Ratings:
    """One rating per row, as integer codes: ``unit[i]`` was given ``value[i]`` by ``rater[i]``.

    A rater rates a unit at most once (callers keep each rater's latest answer).
    """

    unit: np.ndarray
    rater: np.ndarray
    value: np.ndarray
    # The rater each code stands for (``rater_keys[code]``), when built from records.
    rater_keys: tuple[Hashable, ...] = ()

    @classmethod
    def from_records(cls, records: Iterable[tuple[Hashable, Hashable, Hashable]]) -> "Ratings":
        """Encode ``(unit, rater, value)`` records of any hashable values as codes."""
        units: dict[Hashable, int] = {}
        raters: dict[Hashable, int] = {}
        values: dict[Hashable, int] = {}
        rows = [
            (
                units.setdefault(unit, len(units)),
                raters.setdefault(rater, len(raters)),
                values.setdefault(value, len(values)),
            )
            for unit, rater, value in records
        ]
        array = np.asarray(rows, dtype=np.int64).reshape(-1, 3)
        return cls(unit=array[:, 0], rater=array[:, 1], value=array[:, 2], rater_keys=tuple(raters))

    def __len__(self) -> int:
        return len(self.unit)


def _unit_value_counts(ratings: Ratings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """How often each unit got each value, over pairable units (two ratings or more): one
    ``(unit, value, count)`` per distinct pair, as three arrays."""
    if not len(ratings):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    pairs = np.stack([ratings.unit, ratings.value], axis=1)
    distinct, counts = np.unique(pairs, axis=0, return_counts=True)
    unit, value = distinct[:, 0], distinct[:, 1]
    per_unit = np.bincount(unit, weights=counts)
    keep = per_unit[unit] >= 2
    return unit[keep], value[keep], counts[keep]


def _per_unit_agreement(ratings: Ratings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per pairable unit: its number of ratings ``m`` and agreeing ordered pairs; and the
    value of each rating (for the marginals). Units are renumbered 0..U-1."""
    unit, value, count = _unit_value_counts(ratings)
    if not len(unit):
        return np.zeros(0), np.zeros(0), np.zeros(0)
    _, unit = np.unique(unit, return_inverse=True)
    m = np.bincount(unit, weights=count)
    agreeing = np.bincount(unit, weights=count * (count - 1))
    return m, agreeing, np.repeat(value, count)


def percent_agreement(ratings: Ratings) -> float | None:
    """Share of rater pairs that gave a unit the same value, averaged over pairable units."""
    m, agreeing, _values = _per_unit_agreement(ratings)
    if not len(m):
        return None
    return float(np.mean(agreeing / (m * (m - 1))))


def cohen_kappa(first: Sequence[Hashable], second: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two raters' values over the same units, in the same order.

    ``(p_o - p_e) / (1 - p_e)`` where ``p_o`` is the observed agreement and ``p_e`` the chance
    agreement from each rater's own marginal distribution.
    """
    if len(first) != len(second):
        raise ValueError("Both raters must rate the same units.")
    if not len(first):
        return None
    codes: dict[Hashable, int] = {}
    a = np.asarray([codes.setdefault(v, len(codes)) for v in first], dtype=np.int64)
    b = np.asarray([codes.setdefault(v, len(codes)) for v in second], dtype=np.int64)
    return _cohen_kappa_codes(a, b, len(codes))


def _cohen_kappa_codes(a: np.ndarray, b: np.ndarray, n_values: int) -> float | None:
    n = len(a)
    observed = float(np.mean(a == b))
    chance = float(
        np.dot(np.bincount(a, minlength=n_values), np.bincount(b, minlength=n_values)) / (n * n)
    )
    if np.isclose(chance, 1.0):
        return None  # both raters used one and the same value throughout
    return (observed - chance) / (1.0 - chance)


def fleiss_kappa(ratings: Ratings) -> float | None:
    """Fleiss' kappa: ``(P̄ - P̄_e) / (1 - P̄_e)``.

    ``P_i = Σ_j n_ij (n_ij - 1) / (m_i (m_i - 1))`` is unit i's agreement (``n_ij`` raters put
    it in category j, ``m_i`` raters in all), ``P̄`` their mean, ``p_j`` the share of all
    ratings in category j and ``P̄_e = Σ_j p_j²``.
    """
    m, agreeing, values = _per_unit_agreement(ratings)
    if not len(m):
        return None
    observed = float(np.mean(agreeing / (m * (m - 1))))
    shares = np.bincount(values) / len(values)
    chance = float(np.sum(shares**2))
    if np.isclose(chance, 1.0):
        return None
    return (observed - chance) / (1.0 - chance)


def krippendorff_alpha(ratings: Ratings) -> float | None:
    """Krippendorff's alpha for nominal data: ``1 - D_o / D_e``.

    From the coincidence matrix: ``o_cc = Σ_u n_uc (n_uc - 1) / (m_u - 1)`` over pairable units,
    ``n_c`` the pairable values of category c and ``n = Σ n_c``; then
    ``alpha = 1 - (n - 1) (n - Σ_c o_cc) / (n² - Σ_c n_c²)``.
    """
    unit, value, count = _unit_value_counts(ratings)
    if not len(unit):
        return None
    _, unit = np.unique(unit, return_inverse=True)
    m = np.bincount(unit, weights=count)
    coincident_same = float(np.sum(count * (count - 1) / (m[unit] - 1)))
    n_c = np.bincount(value, weights=count)
    n = float(n_c.sum())
    expected = n * n - float(np.sum(n_c**2))
    if np.isclose(expected, 0.0):
        return None  # a single category: no variation to be reliable about
    return 1.0 - (n - 1.0) * (n - coincident_same) / expected


@dataclass(frozen=True)
class RaterAgreement:
    rater: Hashable  # the rater's key (its code when the ratings have no keys)
    units: int  # units this rater rated
    units_shared: int  # ... of which at least one other rater rated too
    kappa: float | None  # mean pairwise Cohen's kappa with the others


def pairwise_kappa(ratings: Ratings, *, min_shared: int = MIN_SHARED_UNITS) -> list[RaterAgreement]:
    """Per rater: the mean of Cohen's kappa with every other rater over the units both rated.

    Pairs sharing fewer than ``min_shared`` units, or whose kappa is undefined, are left out
    of the mean; a rater with no pair left gets ``None``.
    """
    if not len(ratings):
        return []
    n_values = int(ratings.value.max()) + 1
    order = np.lexsort((ratings.unit, ratings.rater))
    raters, starts = np.unique(ratings.rater[order], return_index=True)
    units_sorted, values_sorted = ratings.unit[order], ratings.value[order]
    by_rater = {
        int(rater): (units_sorted[start:end], values_sorted[start:end])
        for rater, start, end in zip(raters, starts, [*starts[1:], len(order)], strict=True)
    }
    unit_raters = np.bincount(ratings.unit)
    kappas: dict[int, list[float]] = {rater: [] for rater in by_rater}
    for first, second in combinations(by_rater, 2):
        units_a, values_a = by_rater[first]
        units_b, values_b = by_rater[second]
        _, index_a, index_b = np.intersect1d(
            units_a, units_b, assume_unique=True, return_indices=True
        )
        if len(index_a) < min_shared:
            continue
        kappa = _cohen_kappa_codes(values_a[index_a], values_b[index_b], n_values)
        if kappa is not None:
            kappas[first].append(kappa)
            kappas[second].append(kappa)
    return [
        RaterAgreement(
            rater=ratings.rater_keys[rater] if ratings.rater_keys else rater,
            units=len(units),
            units_shared=int(np.sum(unit_raters[units] >= 2)),
            kappa=float(np.mean(kappas[rater])) if kappas[rater] else None,
        )
        for rater, (units, _values) in by_rater.items()
    ]


@dataclass(frozen=True)
class AgreementSummary:
    units_compared: int
    raters: int
    percent_agreement: float | None
    cohen_kappa: float | None  # only with exactly two raters
    fleiss_kappa: float | None
    krippendorff_alpha: float | None


def agreement_summary(ratings: Ratings) -> AgreementSummary:
    """All project-level figures over the units with at least two ratings."""
    per_unit = np.bincount(ratings.unit) if len(ratings) else np.zeros(0, dtype=np.int64)
    pairable = per_unit[ratings.unit] >= 2 if len(ratings) else np.zeros(0, dtype=bool)
    compared = Ratings(
        unit=ratings.unit[pairable], rater=ratings.rater[pairable], value=ratings.value[pairable]
    )
    raters = np.unique(compared.rater)
    cohen = None
    if len(raters) == 2:
        # Every compared unit then has both raters' values.
        first = compared.rater == raters[0]
        order_a = np.argsort(compared.unit[first], kind="stable")
        order_b = np.argsort(compared.unit[~first], kind="stable")
        cohen = _cohen_kappa_codes(
            compared.value[first][order_a],
            compared.value[~first][order_b],
            int(compared.value.max()) + 1,
        )
    return AgreementSummary(
        units_compared=len(np.unique(compared.unit)),
        raters=len(raters),
        percent_agreement=percent_agreement(compared),
        cohen_kappa=cohen,
        fleiss_kappa=fleiss_kappa(compared),
        krippendorff_alpha=krippendorff_alpha(compared),
    )
