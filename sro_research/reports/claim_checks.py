"""One small function per kind of check the claims ledger runs on a claim (data/published/claims.csv).

Each check reads the published figures its claim names (`Claim.inputs`) and returns a `Result`:
the checked value as a reader can follow it, a status, and one sentence saying what it found,
naming the figures by content. Nothing here opens a file: figures and SSOCS results are passed in.

Statuses:
  reproduced             an independent source prints the same figure, or its parts give it back;
  internally consistent  the page's own figures agree with each other (no other source involved);
  consistent             an independent source agrees, but only within rounding, the vagueness of
                         "almost", a coarser figure ("6-in-10") or for a neighbouring year;
  discrepancy            the figures do not add up;
  misleading reasoning   the figures may be right, but the conclusion the page draws from them
                         does not follow (a critique of the reasoning, not of the arithmetic);
  unverifiable           no source the project can read confirms or contradicts it, or the claim
                         is causal and figures cannot test a cause.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import pandas as pd

from sro_research.analysis.wording import StatedRange, half_unit, is_qualified, stated_range
from sro_research.readers.published import Figures

STATUSES = ("reproduced", "internally consistent", "consistent", "discrepancy", "misleading reasoning", "unverifiable")
Z95 = 1.959963984540054  # two-sided 95% normal quantile, for the bound on a published total
_PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_]+)(?:\.([a-z_]+))?\}")
_PLAIN = re.compile(r"^\$?[\d,]+(?:\.(\d+))?%?$")
_ID = re.compile(r"\b[A-Z][0-9]{2}\b")
_TERM = re.compile(r"([+-])?\s*([A-Z][0-9]{2})")


@dataclass
class Claim:
    """One row of claims.csv with its inputs parsed: role -> list of values (a role may repeat)."""

    claim_id: str
    source_id: str
    check: str
    inputs: dict[str, list[str]]

    @classmethod
    def from_row(cls, row) -> "Claim":
        inputs: dict[str, list[str]] = {}
        for item in str(row["inputs"]).split("; "):
            role, _, value = item.partition("=")
            if not value.strip():
                raise ValueError(f"claims.csv, claim {row['claim_id']}, field inputs: {item!r} is not role=value")
            inputs.setdefault(role.strip(), []).append(value.strip())
        return cls(row["claim_id"], row["source_id"], row["check"], inputs)

    def one(self, role: str) -> str:
        if len(self.inputs.get(role, [])) != 1:
            raise ValueError(f"claims.csv, claim {self.claim_id}, field inputs: needs exactly one {role}=...")
        return self.inputs[role][0]

    def figure_ids(self) -> list[str]:
        """Every figure id the inputs name, in order (equations included)."""
        return list(dict.fromkeys(i for values in self.inputs.values() for v in values for i in _ID.findall(v)))

    def ids(self, role: str) -> list[str]:
        return [i for value in self.inputs.get(role, []) for i in value.split()]


@dataclass
class Result:
    checked: str
    status: str
    finding: str
    used: list[str] = field(default_factory=list)  # figure ids the check read, for the citation

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status {self.status!r} is not one of {STATUSES}")


def fmt(number: float, decimals: int | None = None) -> str:
    """1234 -> '1,234'; 43.0 stays '43.0' when decimals=1; integers lose a trailing '.0'."""
    if decimals is not None:
        return f"{number:,.{decimals}f}"
    return f"{int(number):,}" if float(number).is_integer() else f"{number:,.2f}".rstrip("0")


def fill(template: str, f: Figures, claim: Claim) -> str:
    """'{A05}' -> figure A05 as printed; '{A05.school_year}' -> a field; '{A02.value}' -> its number;
    '{year}' -> the claim's input of that name."""
    def one(match: re.Match) -> str:
        name, part = match.groups()
        if part is None and name in claim.inputs:
            return claim.one(name)
        if part is None:
            return f.text(name)
        return fmt(f.value(name)) if part == "value" else str(f.row(name)[part])
    return _PLACEHOLDER.sub(one, template)


def _who(f: Figures, claim: Claim, figure_id: str) -> str:
    source_id = f.row(figure_id)["source_id"]
    return "page" if source_id == claim.source_id else f.source(source_id)["publisher"]


def _independent(f: Figures, claim: Claim, ids: list[str]) -> bool:
    return any(f.row(i)["source_id"] != claim.source_id for i in ids)


def _decimals(text: str) -> int:
    """Decimals of a figure printed as a plain number ("23.7" -> 1); 0 for anything else."""
    match = _PLAIN.match(str(text).strip())
    return len(match.group(1) or "") if match else 0


# --- sum: the equations add up ------------------------------------------------------------------


def _sides(equation: str) -> list[list[tuple[int, str]]]:
    """'A05 - A07 = A06' -> [[(+1, 'A05'), (-1, 'A07')], [(+1, 'A06')]]."""
    return [[(-1 if sign == "-" else 1, i) for sign, i in _TERM.findall(side)] for side in equation.split("=")]


def _side_range(f: Figures, side) -> tuple[float, float]:
    """Closed range of a side: qualified figures ("almost") by their stated range, others exact."""
    low = high = 0.0
    for sign, i in side:
        r = stated_range(f.value(i), f.text(i)) if is_qualified(f.text(i)) else StatedRange(f.value(i), f.value(i))
        low, high = (low + r.low, high + r.high) if sign > 0 else (low - r.high, high - r.low)
    return low, high


def _se_bounds(f: Figures, side) -> str:
    ses = [f.row(i)["se"] for _, i in side]
    if len(side) < 2 or any(pd.isna(se) for se in ses) or any(sign < 0 for sign, _ in side):
        return ""
    # The parts' covariances are not published: the SE of the sum lies between these bounds.
    lowest, highest = max(0.0, 2 * max(ses) - sum(ses)), sum(ses)
    return f" (SE of the sum between {fmt(lowest, 2)} and {fmt(highest, 2)}: covariances not published)"


def check_sum(f: Figures, claim: Claim, nearest=None) -> Result:
    lines, agree, qualified, used = [], [], False, []
    for equation in claim.inputs["equation"]:
        sides = _sides(equation)
        ids = [i for side in sides for _, i in side]
        used += ids
        values = [sum(sign * f.value(i) for sign, i in side) for side in sides]
        if any(is_qualified(f.text(i)) for i in ids):
            qualified = True
            ranges = [_side_range(f, side) for side in sides]
            agree.append(max(r[0] for r in ranges) <= min(r[1] for r in ranges) + 1e-9)
        else:
            tolerance = max((half_unit(f.text(side[0][1])) for side in sides if len(side) == 1), default=0.0)
            agree.append(max(values) - min(values) <= tolerance + 1e-9)
        computed, printed = sides[0], sides[1:]
        decimals = max(_decimals(f.text(i)) for _, i in computed)
        terms = " ".join(("- " if sign < 0 else ("+ " if n else "")) + fmt(f.value(i), decimals or None)
                         for n, (sign, i) in enumerate(computed))
        shown = f"{terms} = {fmt(values[0], decimals or None)}" if len(computed) > 1 else f.text(computed[0][1])
        quoted = ", ".join(f"{f.text(side[0][1])} ({_who(f, claim, side[0][1])})" for side in printed)
        lines.append(f"{shown}{_se_bounds(f, computed)}; printed: {quoted}")
    checked = " | ".join(lines)
    if not all(agree):
        failed = [line for line, ok in zip(lines, agree, strict=True) if not ok]
        return Result(checked, "discrepancy", f"The figures do not add up: {'; '.join(failed)}.", used)
    if qualified:
        status = "consistent"
    else:
        status = "reproduced" if _independent(f, claim, used) else "internally consistent"
    where = "with figures from another source" if _independent(f, claim, used) else "on the page itself"
    return Result(checked, status, f"The figures add up {where}.", used)


# --- match: another source prints the same figure ---------------------------------------------


def check_match(f: Figures, claim: Claim, nearest=None) -> Result:
    lines, agree, exact, used = [], [], [], []
    for equation in claim.inputs["equation"]:
        (_, mine), (_, theirs) = [side[0] for side in _sides(equation)]
        used += [mine, theirs]
        a, b = f.value(mine), f.value(theirs)
        fit = stated_range(a, f.text(mine)).contains(b) or stated_range(b, f.text(theirs)).contains(a)
        agree.append(fit)
        same = (abs(a - b) < 1e-9 and f.row(mine)["school_year"] == f.row(theirs)["school_year"]
                and not is_qualified(f.text(theirs)) and half_unit(f.text(theirs)) <= half_unit(f.text(mine)))
        exact.append(same)
        year = f.row(theirs)["school_year"]
        other_year = f" for {year}" if year and year != f.row(mine)["school_year"] else ""
        lines.append(f"{f.text(mine)} on the {_who(f, claim, mine)}; {f.text(theirs)} in {_who(f, claim, theirs)}{other_year}")
    checked = "; ".join(lines)
    unverified = [i for i in used if f.row(i)["source_id"] == claim.source_id and f.flagged(i, "unverified")]
    caveat = "".join(f" The page's exact {f.text(i)} is unverified." for i in unverified)
    if not all(agree):
        differ = "; ".join(line for line, ok in zip(lines, agree, strict=True) if not ok)
        return Result(checked, "discrepancy", f"Another source prints a different figure ({differ}).{caveat}", used)
    if all(exact):
        status = "reproduced" if _independent(f, claim, used) else "internally consistent"
        return Result(checked, status, f"Another source prints the same figures.{caveat}", used)
    return Result(checked, "consistent", f"Another source agrees, but only within its rounding or for another year.{caveat}", used)


# --- product: percent x total against a stated count ---------------------------------------------


def percent_standard_error(f: Figures, claim: Claim, percent: float, nearest: pd.DataFrame | None) -> dict:
    """The sampling error of the page's percentage, which NCES printed without one.

    Estimated as sqrt(deff x p(1-p) / n): n the survey's responding schools (sample x response rate,
    both published), deff the design effect of the SSOCS estimate of the same measure (role `like`),
    an assumption: the two surveys' designs are alike, not the same. NaN without SSOCS estimates.
    """
    missing = {"percent_se": math.nan, "design_effect": math.nan, "responding": math.nan}
    if "sample" not in claim.inputs:
        return missing
    missing["responding"] = f.value(claim.one("sample")) * f.value(claim.one("response")) / 100
    like = nearest[nearest["indicator"] == claim.one("like")] if nearest is not None and "deff" in nearest else []
    if len(like) != 1 or not math.isfinite(float(like["deff"].iloc[0])):
        return missing
    deff, share = float(like["deff"].iloc[0]), percent / 100
    return {**missing, "design_effect": deff,
            "percent_se": 100 * math.sqrt(deff * share * (1 - share) / missing["responding"])}


def _product_bound(share: float, total: float, share_se: float, total_se: float, side: int) -> float:
    """share x total moved `side` (+1/-1) by 95% of its sampling error (delta method; NCES publishes
    no covariance of the two, so they are treated as independent); share is a proportion, its SE too."""
    return share * total + side * Z95 * math.sqrt((total * share_se) ** 2 + (share * total_se) ** 2)


def product_check(f: Figures, claim: Claim, nearest: pd.DataFrame | None = None) -> dict:
    """'30% ... almost 30,000 schools' against the weighted total: every number of the check.

    The plausible counts allow for the percentage's rounding, the total's standard error and, when
    SSOCS estimates are given, the percentage's own (estimated) sampling error."""
    pct_id, total_id, claimed_id = claim.one("percent"), claim.one("total"), claim.one("claimed")
    pct, claimed, total = f.value(pct_id), f.value(claimed_id), f.value(total_id)
    total_se, half = f.row(total_id)["se"], half_unit(f.text(pct_id))
    total_se = 0.0 if pd.isna(total_se) else float(total_se)
    stated = stated_range(claimed, f.text(claimed_id))
    sampling = percent_standard_error(f, claim, pct, nearest)
    pct_se = 0.0 if math.isnan(sampling["percent_se"]) else sampling["percent_se"] / 100
    highest = _product_bound((pct + half) / 100, total, pct_se, total_se, +1)
    lowest = _product_bound((pct - half) / 100, total, pct_se, total_se, -1)
    ids = [pct_id, total_id, claimed_id] + ([claim.one("sample"), claim.one("response")] if "sample" in claim.inputs else [])
    return {
        "percent": pct, "claimed_schools": claimed, "claimed_text": f.text(claimed_id), "percent_text": f.text(pct_id),
        "weighted_total": total, "weighted_total_se": total_se, "year": f.row(total_id)["school_year"],
        **sampling, "schools_at_percent": pct / 100 * total, "lowest_plausible": lowest, "highest_plausible": highest,
        "lowest_read_as_claimed": stated.low, "implied_percent": claimed / total * 100,
        # The printed count fits when the plausible counts reach into the range its wording allows.
        "status": "consistent" if stated.overlaps(lowest, highest) else "discrepancy",
        "ids": ids,
    }


def _allowing_for(c: dict) -> str:
    """Which errors the bound allows for, in words, with the percentage's SE when it is known."""
    if math.isnan(c["percent_se"]):
        return (f"the rounding of the {c['percent_text']} and the sampling error of the total (the {c['percent_text']}'s own "
                "sampling error is not included: NCES printed none, and without the SSOCS files it is not estimated)")
    return (f"the rounding and the sampling error of the {c['percent_text']} (an estimated standard error of "
            f"{fmt(c['percent_se'], 1)} points) and of the total")


def product_sentence(c: dict) -> str:
    return (
        f"{fmt(c['percent'])}% of {fmt(round(c['weighted_total']))} schools is about {fmt(round(c['schools_at_percent']))}; "
        f"at most {fmt(round(c['highest_plausible']))} allowing for {_allowing_for(c)}. "
        f"{fmt(c['claimed_schools'])} schools would be {fmt(c['implied_percent'], 1)}% of them."
    )


def check_product(f: Figures, claim: Claim, nearest=None) -> Result:
    c = product_check(f, claim, nearest)
    se_text = "" if math.isnan(c["percent_se"]) else f" (SE of the {c['percent_text']} about {fmt(c['percent_se'], 1)} points, estimated)"
    checked = (f"{fmt(c['percent'])}% × {fmt(c['weighted_total'])} = {fmt(round(c['schools_at_percent']))} schools, "
               f"at most {fmt(round(c['highest_plausible']))}{se_text}; {fmt(c['claimed_schools'])} would be {fmt(c['implied_percent'], 1)}%")
    if c["status"] == "discrepancy":
        finding = (f"The page's '{c['claimed_text']} schools' is about {fmt(round(c['schools_at_percent']))} by its own "
                   f"{c['percent_text']} of the {fmt(c['weighted_total'])} public schools NCES counts for {c['year']}; "
                   f"even allowing for {_allowing_for(c)}, it is at most {fmt(round(c['highest_plausible']))}, "
                   f"below the {fmt(round(c['lowest_read_as_claimed']))} that '{c['claimed_text']}' allows.")
    else:
        finding = (f"{c['percent_text']} of the weighted total can reach {fmt(round(c['highest_plausible']))} schools allowing for "
                   f"{_allowing_for(c)}, which '{c['claimed_text']}' allows.")
    return Result(checked, c["status"], finding, c["ids"])


# --- nearest_ssocs: the nearest national figures the project can compute ------------------------


def check_nearest_ssocs(f: Figures, claim: Claim, nearest: pd.DataFrame | None = None) -> Result:
    claimed_id, searched_id = claim.one("claimed"), claim.one("searched")
    claimed, searched = f.value(claimed_id), f.row(searched_id)
    measure = claim.one("published")
    published = f.rows[(f.rows["measure"] == measure) & f.rows["value"].notna()].sort_values("school_year")
    if nearest is not None and not nearest.empty:
        listed = "; ".join(f"{fmt(r.estimate, 1)}% (SE {fmt(r.se, 2)}) {r.measure}, {r.year}" for r in nearest.itertuples())
        nearest_text, neighbours = f"nearest computable (SSOCS microdata): {listed}", list(nearest["estimate"])
    else:
        nearest_text = "nearest published: " + "; ".join(f"{r.value_text} with an SRO, {r.school_year}" for r in published.itertuples())
        neighbours = list(published["value"])
    mark = f"{fmt(claimed)}%"
    if not neighbours:
        where = "are missing"
    elif min(neighbours) > claimed:
        where = f"are all above the {mark}"
    elif max(neighbours) < claimed:
        where = f"are all below the {mark}"
    else:
        where = f"lie on both sides of the {mark}"
    found = not f.flagged(searched_id, "not_found")
    if found and pd.notna(searched["value"]):
        # A figure for the claim's own year was found: it checks the claim, within the page's rounding.
        agrees = stated_range(claimed, f.text(claimed_id)).contains(float(searched["value"]))
        status = "reproduced" if agrees else "discrepancy"
        first = f"NCES prints {searched['value_text']} for {searched['school_year']} (figure {searched_id})."
    else:
        status = "consistent" if found else "unverifiable"
        first = f"No SRO-only percentage for {searched['school_year']} was found in the NCES sources the project could read."
    checked = f"{searched['school_year']} SRO figure {searched['value_text']} in NCES sources; {nearest_text}"
    return Result(checked, status, f"{first} The nearest national figures {where}.", [claimed_id, searched_id, *published.index])


# --- weighting: a sample against the total it is weighted to ---------------------------------


def check_weighting(f: Figures, claim: Claim, nearest=None) -> Result:
    sample_id, total_id = claim.one("sample"), claim.one("total")
    sample, total = f.value(sample_id), f.value(total_id)
    responding = sample * f.value(claim.one("response")) / 100
    checked = (f"{fmt(sample)} schools sampled, about {fmt(round(responding))} responded; weighted to {fmt(total)} "
               f"schools (about {fmt(round(total / responding))} schools each)")
    if total > sample:
        finding = (f"The page says the real national numbers are much higher because the survey was a sample, but NCES "
                   f"weights its {f.text(sample_id)} sampled schools to all {f.text(total_id)} public schools, so its "
                   f"percentages already stand for every school: the conclusion does not follow.")
        return Result(checked, "misleading reasoning", finding, [sample_id, total_id])
    return Result(checked, "unverifiable", "The survey's weighting could not be read from its figures.", [sample_id, total_id])


# --- source_date: the cited source exists and covers the stated year ----------------------------


def check_source_date(f: Figures, claim: Claim, nearest=None) -> Result:
    source = f.source(claim.one("source"))
    page_id, survey_id = claim.one("page"), claim.one("survey")
    year = str(int(source["year"])) if pd.notna(source["year"]) else "no year"
    covers = f.row(survey_id)["school_year"] == f.row(page_id)["school_year"]
    also = "; ".join(f"{f.printed(i)} {f.row(i)['measure'].replace('_pct', '').replace('_', ' ')}" for i in claim.ids("also"))
    checked = f"{source['title']} ({year}): {f.printed(survey_id)} sampled for {f.row(survey_id)['school_year']}; {also}"
    if year == claim.one("year") and covers:
        return Result(checked, "consistent", f"The report exists, from {year}, and covers {f.row(page_id)['school_year']}.", [survey_id])
    return Result(checked, "discrepancy", f"The cited report is from {year} and covers {f.row(survey_id)['school_year']}, not what the page says.", [survey_id])


# --- mention: another source mentions the event within the period the page gives -------------


def check_mention(f: Figures, claim: Claim, nearest=None) -> Result:
    other, phrase = claim.one("other"), claim.one("phrase")
    row = f.row(other)
    said = f"{row['value_text']} {row['unit']}".strip()
    checked = f"{_who(f, claim, other)}: {said} ({row['note'] or row['measure']})"
    if phrase.lower() in f"{row['note']} {row['value_text']}".lower():
        return Result(checked, "consistent", f"{_who(f, claim, other)} reports {said} in {phrase}, inside the period the page gives.", [other])
    return Result(checked, "unverifiable", f"No source the project can read dates the {row['measure'].replace('_', ' ')}.", [other])


# --- causal: the trend can be checked, the cause cannot -----------------------------------------


def check_causal(f: Figures, claim: Claim, nearest=None) -> Result:
    lines, falling, used = [], [], []
    for series in claim.inputs["series"]:
        ids = series.split()
        used += ids
        values = [f.value(i) for i in ids]
        unit = "%" if f.row(ids[0])["unit"] == "percent" else ""
        label = f.row(ids[0])["measure"].removesuffix("_pct").replace("_", " ")
        lines.append(f"{label}: {' > '.join(fmt(v) for v in values)}{unit} "
                     f"({f.row(ids[0])['school_year']} to {f.row(ids[-1])['school_year']})")
        falling.append(all(later < earlier for earlier, later in zip(values, values[1:], strict=False)))
    checked = "; ".join(lines)
    if all(falling):
        return Result(checked, "unverifiable", "The published figures do fall, but figures cannot show that SRO "
                      "training caused the fall: the causal part of the claim is untestable with these data.", used)
    rising = [line for line, ok in zip(lines, falling, strict=True) if not ok]
    return Result(checked, "discrepancy", f"The figures do not fall every year: {'; '.join(rising)}.", used)


# --- unverifiable: no source to check against ---------------------------------------------------


def check_unverifiable(f: Figures, claim: Claim, nearest=None) -> Result:
    return Result("no independent source", "unverifiable", "No source the project can read confirms or contradicts it.", [])


CHECKS = {
    "sum": check_sum, "match": check_match, "product": check_product, "nearest_ssocs": check_nearest_ssocs,
    "weighting": check_weighting, "source_date": check_source_date, "mention": check_mention,
    "causal": check_causal, "unverifiable": check_unverifiable,
}


def run_check(f: Figures, claim: Claim, nearest: pd.DataFrame | None = None) -> Result:
    if claim.check not in CHECKS:
        raise ValueError(f"claims.csv, claim {claim.claim_id}, field check: {claim.check!r} is not one of {', '.join(CHECKS)}")
    try:
        return CHECKS[claim.check](f, claim, nearest)
    except KeyError as error:
        raise KeyError(f"claim {claim.claim_id} needs {error.args[0]}") from error
