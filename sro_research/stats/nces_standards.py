"""NCES reporting standards, defined once: the two flags, their thresholds and what they mean.

NCES tables print "!" beside an estimate to read with caution (its standard error is 30 to 50
percent of the estimate) and "‡" instead of an estimate that does not meet reporting standards
(standard error over 50 percent of it, too few sampled units, or no computable standard error).
Every module that flags, formats or explains an estimate imports these names.
"""

from __future__ import annotations

import numpy as np

CAUTION_FLAG = "!"  # interpret with caution
SUPPRESS_FLAG = "‡"  # reporting standards not met
CAUTION_CV = 0.30  # coefficient of variation (SE / estimate) from which "!" applies
SUPPRESS_CV = 0.50  # above this CV, "‡"
MIN_N = 3  # fewer sampled units than this: "‡"

CAUTION_MEANING = (
    f"interpret with caution: the standard error is {CAUTION_CV:.0%} to {SUPPRESS_CV:.0%} of the estimate"
)
SUPPRESS_MEANING = (
    f"reporting standards not met: the standard error is over {SUPPRESS_CV:.0%} of the estimate, "
    f"or fewer than {MIN_N} units were sampled, so no estimate is shown"
)
FLAG_MEANINGS = {CAUTION_FLAG: CAUTION_MEANING, SUPPRESS_FLAG: SUPPRESS_MEANING}


def nces_flag(
    cv,
    n,
    se=None,
    *,
    caution_cv: float = CAUTION_CV,
    suppress_cv: float = SUPPRESS_CV,
    min_n: int = MIN_N,
) -> np.ndarray:
    """NCES reporting flags: SUPPRESS_FLAG when n < min_n, CV > suppress_cv or the SE cannot be
    computed; CAUTION_FLAG when caution_cv <= CV <= suppress_cv; "" otherwise.

    CV is a fraction (0.30 = 30%). A CV that is undefined because the estimate is 0 does not by
    itself flag the estimate (NCES prints such zeros); a missing SE does.
    """
    cv = np.asarray(cv, dtype=float)
    n = np.asarray(n, dtype=float)
    flags = np.full(np.broadcast(cv, n).shape, "", dtype=object)
    caution = (cv >= caution_cv) & (cv <= suppress_cv)
    flags[caution] = CAUTION_FLAG
    suppress = (n < min_n) | (cv > suppress_cv)
    if se is not None:
        suppress |= ~np.isfinite(np.asarray(se, dtype=float))
    flags[suppress] = SUPPRESS_FLAG
    return flags
