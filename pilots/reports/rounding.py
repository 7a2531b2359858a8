"""Every report figure that is not a count is rounded here, once, to the places of its kind.

The page, the CSV and the XLSX all print the value `rounded` returns (a Decimal), so the three
never differ: rounding 0.3945 to 3 places and then printing 2 gave 0.40 in one file and 0.39 on the
page. Halves round up from the shortest decimal form of the float (0.395 -> 0.40), as people do.
"""

from decimal import ROUND_HALF_UP, Decimal

# Places per kind of figure: rates in percent, test means, gains, the normalised gain g.
PLACES = {"rate": 1, "score": 1, "mean": 1, "gain": 1, "g": 2}

# The figures of the overview and the roster, by key, with their kind.
FIGURE_KINDS = {
    "attendance_rate": "rate", "rate": "rate",
    "pre_mean": "mean", "post_mean": "mean", "gain_mean": "gain", "g_mean": "g",
    "pre_score": "score", "post_score": "score", "gain": "gain", "norm_gain": "g",
}


def rounded(value, kind):
    """`value` rounded to the places of `kind` as a Decimal; None stays None; ints (counts) stay."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    places = PLACES.get(kind, 1)
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
