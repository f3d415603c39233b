"""Which comps a valuation rests on, adapted to volume.

As the best price guides do: many recent sales -> the shortest window holding
enough of them; thin sales -> the whole lookback, with asks and guides filling
in for the missing sales; rare -> the last few sales whatever their age; no
sales -> asks and guides alone; nothing -> no price.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from fairmarket.valuation.domain.params import MethodParams

F8 = npt.NDArray[np.float64]
B1 = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Selection:
    mode: str  # "recent" | "thin" | "rare" | "listings" | "none"
    window_days: float | None  # the oldest age admitted
    sales: B1  # sales in the pool
    listings: B1  # asks and guides in the pool
    listing_cap: float  # the most weight share listings may have (1.0: no cap)


def windows(params: MethodParams) -> list[float]:
    """The candidate windows, shortest first, ending with the lookback."""
    shorter = sorted({w for w in params.windows_days if w < params.lookback_days})
    return [*shorter, params.lookback_days]


def _shortest_window(ages: F8, params: MethodParams) -> float | None:
    for w in windows(params):
        if int(np.count_nonzero(ages <= w)) >= params.sales_target:
            return w
    return None


def select(age_days: F8, is_sale: B1, usable: B1, order_key: F8, params: MethodParams) -> Selection:
    """Choose the pool among ``usable`` comps.

    ``order_key`` breaks ties between sales of the same moment when only the
    last few are taken, so that the choice does not depend on input order.
    """
    sales = usable & is_sale
    listings = usable & ~is_sale
    in_lookback = age_days <= params.lookback_days
    n_lookback = int(np.count_nonzero(sales & in_lookback))
    w = _shortest_window(age_days[sales], params)
    no = np.zeros_like(usable)
    if w is not None:
        return Selection("recent", w, sales & (age_days <= w), no, 0.0)
    recent_listings = listings & in_lookback
    share = params.max_listing_share * max(0.0, 1.0 - n_lookback / params.sales_target)
    if n_lookback >= params.thin_min_sales:
        window = float(params.lookback_days)
        return Selection("thin", window, sales & in_lookback, recent_listings, share)
    n_sales = int(np.count_nonzero(sales))
    if n_sales > 0:
        idx = np.flatnonzero(sales)
        # newest first; among equal times by content digest, not input order
        order = np.lexsort((order_key[idx], age_days[idx]))
        last = idx[order[: params.rare_last_sales]]
        pool = np.zeros_like(usable)
        pool[last] = True
        window = float(age_days[last].max())
        return Selection("rare", window, pool, recent_listings, share)
    if listings.any():
        wl = _shortest_window(age_days[listings], params) or params.lookback_days
        pool = listings & (age_days <= wl)
        if pool.any():
            return Selection("listings", float(wl), no, pool, 1.0)
    return Selection("none", None, no, no, 0.0)
