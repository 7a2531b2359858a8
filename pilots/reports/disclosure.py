"""Small-cell suppression for the files shared outside the programme.

Primary suppression hides every count under `SMALL_CELL` (0 included). That alone is not enough: a
hidden cell can often be worked out by subtraction from the cells around it (a subtotal minus the
other rows, confirmed minus post-tests). `protect` therefore adds secondary (complementary)
suppression: it takes the cells of one file and the sums that tie them together (each an equation
{cell: coefficient} adding up to 0) and hides more cells until no hidden cell is determined by the
published ones, checked by Gaussian elimination over the hidden cells (exact fractions), and until
no equation shows that its hidden cells are all zero. A cell hidden only to protect another may
itself be worked out (its count is 5 or more, so it is no secret); a small count never.

Every hidden cell is shown with the same mark (`HIDDEN`), whether it is small or hidden to protect
a small one: marking them differently would give bounds (a secondary cell is at least 5) that can
pin a small one down.

The shared cohort summaries are protected each on its own; the shared overview is then protected
together with the summaries of its cohorts (`given`), since a country's year row adds up its
cohorts. What is not covered: bounds from inequalities (a part is at most its whole) beyond
hiding the value, and the difference between two downloads made before and after a change.
"""

from fractions import Fraction

# A count under this could identify a teacher.
SMALL_CELL = 5
# How every hidden cell is written.
HIDDEN = "x"


def suppress(value, threshold=SMALL_CELL):
    """A single count under `threshold` (0 included) as HIDDEN; anything else unchanged."""
    if is_small(value, threshold):
        return HIDDEN
    return value


def is_small(value, threshold=SMALL_CELL):
    return isinstance(value, int) and not isinstance(value, bool) and value < threshold


def derivable(values, equations, hidden):
    """The hidden cells that the published cells and the equations determine (a set)."""
    found = set()
    for equation in equations:
        const = sum(Fraction(c) * values[k] for k, c in equation.items() if k not in hidden)
        signs = {c > 0 for k, c in equation.items() if k in hidden}
        if const == 0 and len(signs) == 1:
            found.update(k for k in equation if k in hidden)  # never negative: a sum of 0 is all 0
    pivots = []  # [(variable, {variable: coefficient}, constant)], kept fully reduced
    for equation in equations:
        const = -sum(Fraction(c) * values[k] for k, c in equation.items() if k not in hidden)
        row = {k: Fraction(c) for k, c in equation.items() if k in hidden}
        for var, prow, pconst in pivots:
            factor = row.get(var)
            if factor:
                for k, c in prow.items():
                    row[k] = row.get(k, 0) - factor * c
                const -= factor * pconst
        row = {k: c for k, c in row.items() if c}
        if not row:
            continue
        var = min(row, key=repr)
        factor = row[var]
        row = {k: c / factor for k, c in row.items()}
        const /= factor
        for i, (pvar, prow, pconst) in enumerate(pivots):
            g = prow.get(var)
            if g:
                new = dict(prow)
                for k, c in row.items():
                    new[k] = new.get(k, 0) - g * c
                pivots[i] = (pvar, {k: c for k, c in new.items() if c}, pconst - g * const)
        pivots.append((var, row, const))
    for _var, row, const in pivots:
        if len(row) == 1:
            found.update(row)
        elif const == 0 and len({c > 0 for c in row.values()}) == 1:
            found.update(row)  # counts are never negative: a sum of 0 makes each of them 0
    return found


def protect(values, equations, threshold=SMALL_CELL, given=None, secret=None):
    """The cells of `values` ({cell: count}) to hide: every small one, plus as few others as this
    greedy rule finds (the smallest count that shares an equation with an exposed cell), so that
    no hidden cell can be worked out from the rest through `equations`. `given` ({cell: hidden})
    are cells of another file, already decided there: they are never chosen, and the result says
    which cells of this file must be hidden so that both files together disclose nothing.
    Deterministic: the same cells and counts always hide the same cells. `secret`: cells that must
    stay unknown whatever their value (a sum of numbers given by fewer than 5 teachers).
    """
    given = given or {}
    small = {cell for cell, value in values.items() if is_small(value, threshold)} | set(secret or ())
    hidden = {cell for cell in small if cell not in given}
    hidden |= {cell for cell, is_hidden in given.items() if is_hidden}
    while True:
        # Only a small count must stay unknown: a cell hidden to protect one may be worked out
        # (it is then no secret, as when another file publishes it) as long as no small one is.
        exposed = derivable(values, equations, hidden) & small
        if not exposed:
            return hidden - set(given)
        cell = min(exposed, key=repr)
        movable = {k for eq in equations for k in eq if k not in hidden and k not in given}
        candidates = {k for eq in equations if cell in eq for k in eq} & movable
        if not candidates:  # its own equations have no cell left to hide: widen to any exposed one's
            candidates = {k for eq in equations if set(eq) & exposed for k in eq} & movable
        if not candidates:
            candidates = movable
        if not candidates:  # nothing left to hide (cannot happen with `given` empty)
            return hidden - set(given)
        hidden.add(min(candidates, key=lambda k: (values[k], repr(k))))
