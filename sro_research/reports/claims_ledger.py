"""The claims ledger: each factual claim on the district's 2017 SRO page, its source, and a check.

Every check is computed from the published-figures package (`published.py`) and, where the
SSOCS microdata is available, from `ssocs_estimates.estimate_table`: sums, differences, products and
comparisons, never typed-in results. Statuses come from those computations:

  reproduced    the project recomputes the figure from its published parts and gets it back;
  consistent    an independent source prints the same figure, or agrees within rounding or
                within the vagueness of "almost"/"6-in-10";
  discrepancy   the figures do not add up;
  unverifiable  no source the project can read confirms or contradicts it.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import pandas as pd

from sro_research.readers.published import figure, flags, list_published, load_published, load_sources

LEDGER_COLUMNS = ["claim_id", "claim", "source", "published_value", "checked_value", "status", "reason"]
STATUSES = ("reproduced", "consistent", "discrepancy", "unverifiable")
PAGE_SOURCE = "mps_sro_page"
# "Almost X" is read as "within 5% below X"; a reader may prefer another margin, so it is a parameter.
ALMOST_MARGIN = 0.05
Z95 = 1.959963984540054  # two-sided 95% normal quantile, for the bound on a published total
NEAREST_YEARS = {"any_sro": "2005-06", "sworn_law_enforcement": "2015-16"}


# --- the figures a check reads ----------------------------------------------------------------


@dataclass
class Figures:
    """Every published figure by figure_id, and the sources they cite."""

    rows: pd.DataFrame
    sources: pd.DataFrame

    @classmethod
    def load(cls, folder: str | os.PathLike | None = None) -> "Figures":
        tables = [load_published(name, folder) for name in list_published(folder) if name != "definitions"]
        rows = pd.concat(tables, ignore_index=True)
        return cls(rows.set_index("figure_id", drop=False), load_sources(folder).set_index("source_id"))

    def row(self, figure_id: str) -> pd.Series:
        if figure_id not in self.rows.index:
            raise KeyError(f"the claims ledger needs figure {figure_id}, which data/published/ does not have")
        return self.rows.loc[figure_id]

    def value(self, figure_id: str) -> float:
        number = self.row(figure_id)["value"]
        if pd.isna(number):
            raise ValueError(f"figure {figure_id} has no numeric value (printed {self.text(figure_id)!r})")
        return float(number)

    def text(self, figure_id: str) -> str:
        return str(self.row(figure_id)["value_text"])

    def flagged(self, figure_id: str, flag: str) -> bool:
        return flag in flags(self.row(figure_id))

    def half_unit(self, figure_id: str) -> float:
        """Half the last printed digit: how far the true value may be from a rounded figure."""
        digits = self.text(figure_id).rstrip("%").split(".")
        decimals = len(digits[1]) if len(digits) == 2 and digits[1].isdigit() else 0
        return 0.5 * 10 ** -decimals

    def printed(self, figure_id: str) -> str:
        """The figure as printed, with its unit when the print is a bare number ('16 hours per year')."""
        row = self.row(figure_id)
        text = str(row["value_text"])
        bare = text.replace(",", "").replace(".", "").isdigit()
        return f"{text} {row['unit']}" if bare and row["unit"] not in ("", "percent", "calendar year") else text

    def cite(self, page_ids: list[str], checked_ids: list[str], place: str | None = None) -> str:
        """Where the page says it, and the sources the check uses (title, publisher, year, URL)."""
        places = [p for i in page_ids for p in self.row(i)["location"].split("; ")]
        places = list(dict.fromkeys(places + ([place] if place else [])))
        text = f"MPS SRO page ({'; '.join(places)}), {self.sources.loc[PAGE_SOURCE, 'url']}"
        used = list(dict.fromkeys(self.row(i)["source_id"] for i in checked_ids))
        used = [s for s in used if s != PAGE_SOURCE]
        if used:
            text += "; checked against: " + "; ".join(self.short_citation(s) for s in used)
        return text

    def short_citation(self, source_id: str) -> str:
        """Publisher, date and URL: enough to find the source; the full title is in the sources table."""
        source = self.sources.loc[source_id]
        when = source["date"] or ("" if pd.isna(source["year"]) else str(int(source["year"])))
        return f"{source['publisher']}{', ' + when if when else ''}, {source['url']}"


def fmt(number: float, decimals: int | None = None) -> str:
    """1234 -> '1,234'; 43.0 stays '43.0' when decimals=1; integers lose a trailing '.0'."""
    if decimals is not None:
        return f"{number:,.{decimals}f}"
    return f"{int(number):,}" if float(number).is_integer() else f"{number:,.2f}".rstrip("0")


def total_status(computed: float, printed: float, tolerance: float, approximate: bool = False) -> str:
    """reproduced when the recomputed total is the printed one (within rounding), else discrepancy."""
    if abs(computed - printed) <= tolerance + 1e-9:
        return "consistent" if approximate else "reproduced"
    return "discrepancy"


def match_status(claimed: float, other: float, tolerance: float) -> str:
    """consistent when an independent source prints the same figure (within rounding)."""
    return "consistent" if abs(claimed - other) <= tolerance + 1e-9 else "discrepancy"


def _row(claim_id, claim, source, published, checked, status, reason) -> dict:
    if status not in STATUSES:
        raise ValueError(f"claim {claim_id}: status {status!r} is not one of {STATUSES}")
    return dict(zip(LEDGER_COLUMNS, (claim_id, claim, source, published, checked, status, reason)))


def _unverifiable(f: Figures, claim_id: str, claim: str, ids: list[str], why: str) -> dict:
    published = "; ".join(f.printed(i) for i in ids)
    return _row(claim_id, claim, f.cite(ids, []), published, "no independent source", "unverifiable", why)


# --- the claims, in page order ----------------------------------------------------------------


def _engagement_period(f: Figures) -> dict:
    sessions = f.row("B14")
    june = "June 2017" in sessions["note"]
    return _row(
        "L01", "The district gathered feedback on its SRO program in spring and summer 2017.",
        f.cite(["A01"], ["B14"]), f.text("A01"),
        f"press: {sessions['value_text']} community feedback sessions in June 2017",
        "consistent" if june else "unverifiable",
        "The Star Tribune reports community sessions in June 2017, inside the period the page gives. "
        "The district's own session count and dates were not published.",
    )


def _scenarios(f: Figures) -> dict:
    return _unverifiable(
        f, "L02", "Surveys and sessions asked about three scenarios: maintain/modify, reduce and support, eliminate.",
        ["A02"], "The June 2017 Board presentation with the scenario results was not available; the press "
        "printed no per-scenario percentages (only that respondents generally preferred keeping the program).",
    )


def _vote(f: Figures) -> dict:
    page_for, page_against = f.value("A03"), f.value("A04")
    press_for, press_against = f.value("C08"), f.value("C09")
    cast = page_for + page_against
    same = page_for == press_for and page_against == press_against
    return _row(
        "L03", "On 8 August 2017 the Board voted 8 to 1 for the Superintendent's recommendation.",
        f.cite(["A03", "A04"], ["C08"]), f"{fmt(page_for)} to {fmt(page_against)}",
        f"{fmt(page_for)} + {fmt(page_against)} = {fmt(cast)} votes cast; Star Tribune: {f.text('C08')}",
        "consistent" if same else "discrepancy",
        f"The Star Tribune's report of the vote gives the same split, {fmt(press_for)} for and "
        f"{fmt(press_against)} against, so {fmt(cast)} members voted.",
    )


def _reduction(f: Figures) -> dict:
    before, after, cut = f.value("A05"), f.value("A06"), f.value("A07")
    parts = [f.value(i) for i in ("C01", "C02", "C03")]
    deployed = sum(parts)
    status = "reproduced" if before - cut == after == deployed == f.value("C04") else "discrepancy"
    return _row(
        "L04", "The recommendation cuts SROs from 16 to 14 by removing two roaming officers.",
        f.cite(["A05", "A06", "A07"], ["C01"]), f"{fmt(before)} to {fmt(after)}",
        f"{fmt(before)} - {fmt(cut)} = {fmt(before - cut)}; 2017-18 plan: "
        f"{' + '.join(fmt(p) for p in parts)} = {fmt(deployed)}",
        status,
        f"The Southwest Journal's 2017-18 deployment ({fmt(parts[0])} high school, {fmt(parts[1])} alternative "
        f"school, {fmt(parts[2])} roving) adds up to {fmt(deployed)}, the page's new total.",
    )


def _contract(f: Figures) -> dict:
    return _unverifiable(
        f, "L05", "The police contract runs three years and is reviewed every year.", ["A08"],
        "No copy of the contract or of another source on its term was available.",
    )


def _sites(f: Figures) -> dict:
    schools, sites = f.value("A09"), f.value("A10")
    high, alternative = f.value("C01"), f.value("C02")
    status = "consistent" if (schools, sites) == (high, alternative) else "discrepancy"
    return _row(
        "L06", "The 16 SROs serve the seven comprehensive high schools and two Level 4 special education sites.",
        f.cite(["A09", "A10"], ["C01"]), f"{fmt(schools)} high schools + {fmt(sites)} Level 4 sites",
        f"2017-18 plan: {fmt(high)} high school + {fmt(alternative)} alternative school officers "
        f"= {fmt(high + alternative)} posts at {fmt(schools + sites)} sites",
        status,
        "The 2017-18 plan posts one officer at each of the same number of high schools and special sites. "
        "The press calls the two sites alternative schools, the page Level 4 special education sites; "
        "no source lists the 2016-17 sites by name.",
    )


def _sex(f: Figures) -> dict:
    men, women, total = f.value("A11"), f.value("A12"), f.value("A05")
    return _row(
        "L07", "Of the 16 SROs, 15 are men and 1 is a woman.", f.cite(["A11", "A12"], []),
        f"{fmt(men)} men, {fmt(women)} woman", f"{fmt(men)} + {fmt(women)} = {fmt(men + women)} (page total {fmt(total)})",
        total_status(men + women, total, 0),
        "The parts add up to the page's count of SROs; no other source gives the officers' sex.",
    )


def _race(f: Figures) -> dict:
    parts = [f.value(i) for i in ("A13", "A14", "A15")]
    total = f.value("A05")
    return _row(
        "L08", "Of the 16 SROs, 9 are White, 3 Asian American and 4 Black.", f.cite(["A13", "A14", "A15"], []),
        ", ".join(f"{f.text(i)} {f.row(i)['group']}" for i in ("A13", "A14", "A15")), f"{' + '.join(fmt(p) for p in parts)} = {fmt(sum(parts))} (page total {fmt(total)})",
        total_status(sum(parts), total, 0),
        "The parts add up to the page's count of SROs; no other source gives the officers' race or ethnicity.",
    )


def _history(f: Figures) -> dict:
    return _unverifiable(
        f, "L09", "MPS has used SROs since the 1960s and has had a formal police contract since 1980.",
        ["A17", "A16"], "No other source on the program's history was available.",
    )


def _continuing_education(f: Figures) -> dict:
    return _unverifiable(
        f, "L10", "SROs must complete 16 hours of continuing education a year to stay licensed.", ["A18"],
        "No Minnesota POST licensing source was available to check the hours against.",
    )


def _preservice(f: Figures) -> dict:
    return _unverifiable(
        f, "L11", "SROs get 24 hours of Minnesota School Safety Center training before working in schools.", ["A19"],
        "No Minnesota School Safety Center source was available.",
    )


def _mps_training(f: Figures) -> dict:
    low, high = f.value("A20"), f.value("A21")
    claim = _unverifiable(
        f, "L12", "SROs get 8 to 24 hours of training on MPS programs each year.", ["A20"],
        "No MPS training record was available.",
    )
    claim["published_value"] = f"{fmt(low)} to {fmt(high)} hours"
    return claim


def _national_source(f: Figures) -> dict:
    sample, unweighted, weighted = f.row("F45"), f.value("F46"), f.value("F47")
    report = f.sources.loc["nces_2015_051"]
    exists = pd.notna(report["year"]) and int(report["year"]) == 2015 and f.row("F45")["school_year"] == "2013-14"
    return _row(
        "L13", "The best national data on SROs is a 2013-14 Department of Education survey reported by NCES in 2015.",
        f.cite(["A23"], ["F45"]), "2013-14 survey, 2015 NCES report",
        f"NCES 2015-051 ({int(report['year'])}): FRSS 106, {sample['value_text']} schools sampled, "
        f"{fmt(unweighted)}% unweighted / {fmt(weighted)}% weighted response",
        "consistent" if exists else "unverifiable",
        "The report exists and covers 2013-14. It is the Fast Response Survey System survey 106, not SSOCS: "
        "there is no SSOCS 2013-14 file and no microdata to recompute its figures.",
    )


def _national_sro_pct(f: Figures, nearest: pd.DataFrame | None) -> dict:
    claimed = f.value("A23")
    searched = f.row("F48")
    if nearest is not None and not nearest.empty:
        computed = "; ".join(
            f"{fmt(r.estimate, 1)}% (SE {fmt(r.se, 2)}) {r.measure}, {r.year}" for r in nearest.itertuples()
        )
        nearest_text = f"nearest computable (SSOCS microdata): {computed}"
        neighbours = list(nearest["estimate"])
    else:
        sro = f.rows[(f.rows["measure"] == "sro_pct") & f.rows["value"].notna()].sort_values("school_year")
        nearest_text = "nearest published: " + "; ".join(
            f"{r.value_text} with an SRO, {r.school_year}" for r in sro.itertuples()
        )
        neighbours = list(sro["value"])
    if neighbours and min(neighbours) > claimed:
        where = f"are all above the {fmt(claimed)}%"
    elif neighbours and max(neighbours) < claimed:
        where = f"are all below the {fmt(claimed)}%"
    elif neighbours:
        where = f"lie on both sides of the {fmt(claimed)}%"
    else:
        where = "are missing"
    found = not f.flagged("F48", "not_found")
    if found and pd.notna(searched["value"]):
        # A 2013-14 figure was found: it checks the claim, within the page's rounding.
        status = match_status(claimed, float(searched["value"]), f.half_unit("A23"))
        first = f"NCES prints {searched['value_text']} for 2013-14 (figure F48)."
    else:
        status = "consistent" if found else "unverifiable"
        first = "The SRO-only percentage and its SE were not found in the NCES report or tables the project could read."
    return _row(
        "L14", "In 2013-14, 30% of U.S. public schools had at least one full- or part-time SRO.",
        f.cite(["A23"], ["F48", *f.rows.index[f.rows["measure"] == "sro_pct"]]), f.text("A23"),
        f"2013-14 SRO figure {searched['value_text']} in NCES sources; {nearest_text}",
        status,
        f"{first} "
        f"The nearest national figures {where}, but they are for other years or a wider measure "
        f"(see the SSOCS section), so they do not check the {fmt(claimed)}%.",
    )


def almost_30000_check(f: Figures, margin: float = ALMOST_MARGIN) -> dict:
    """'30% ... almost 30,000 schools' against the 84,100 weighted total: every number of the check."""
    pct, claimed, total, total_se = f.value("A23"), f.value("A24"), f.value("F41"), f.row("F41")["se"]
    pct_high = pct + f.half_unit("A23")
    central = pct / 100 * total
    highest = pct_high / 100 * (total + Z95 * total_se)
    lowest = (pct - f.half_unit("A23")) / 100 * (total - Z95 * total_se)
    lowest_almost = claimed * (1 - margin)
    # "Almost X" fits when the plausible range of counts reaches into [X(1 - margin), X].
    fits = highest >= lowest_almost and lowest <= claimed
    return {
        "percent": pct, "claimed_schools": claimed, "weighted_total": total, "weighted_total_se": total_se,
        "schools_at_percent": central, "lowest_plausible": lowest, "highest_plausible": highest,
        "lowest_read_as_almost": lowest_almost, "implied_percent": claimed / total * 100,
        "status": "consistent" if fits else "discrepancy",
    }


def almost_30000_sentence(check: dict) -> str:
    """The check of `almost_30000_check` in one sentence, every number from the check."""
    return (
        f"{fmt(check['percent'])}% of {fmt(round(check['weighted_total']))} schools is about "
        f"{fmt(round(check['schools_at_percent']))}; at most {fmt(round(check['highest_plausible']))} allowing for "
        f"rounding and sampling error. {fmt(check['claimed_schools'])} schools would be "
        f"{fmt(check['implied_percent'], 1)}% of them."
    )


def _national_sro_count(f: Figures, margin: float) -> dict:
    c = almost_30000_check(f, margin)
    return _row(
        "L15", "The 30% stands for almost 30,000 schools nationwide.", f.cite(["A24"], ["F41"]), f.text("A24"),
        f"{fmt(c['percent'])}% × {fmt(c['weighted_total'])} = {fmt(round(c['schools_at_percent']))} schools; "
        f"{fmt(c['claimed_schools'])} would be {fmt(c['implied_percent'], 1)}%",
        c["status"],
        f"NCES weights the 2013-14 survey to {fmt(c['weighted_total'])} public schools (SE {fmt(c['weighted_total_se'])}). "
        f"Even at {fmt(c['percent'] + f.half_unit('A23'))}% and the top of the total's 95% interval the count is at most "
        f"{fmt(round(c['highest_plausible']))}, below {fmt(round(c['lowest_read_as_almost']))} "
        f"('almost' read as within {fmt(margin * 100)}% below {fmt(c['claimed_schools'])})."
        if c["status"] == "discrepancy" else
        f"{fmt(c['percent'])}% of the weighted total can reach {fmt(round(c['highest_plausible']))} schools.",
    )


def security_43_check(f: Figures) -> dict:
    """43% = full-time 23.7 + part-time-only 19.3 (Digest 233.70a, 2013-14, all public schools)."""
    full = figure(f.rows, measure="security_staff_full_time_pct", group="All public schools", school_year="2013-14")
    part = figure(f.rows, measure="security_staff_part_time_only_pct", group="All public schools", school_year="2013-14")
    total = round(full["value"] + part["value"], 1)
    claimed = f.value("A25")
    status = total_status(total, claimed, f.half_unit("A25"))
    if status == "reproduced" and match_status(claimed, f.value("F37"), f.half_unit("F37")) != "consistent":
        status = "discrepancy"  # the sum fits the page but not NCES's own press release
    return {
        "full_time": full["value"], "full_time_se": full["se"], "part_time_only": part["value"],
        "part_time_only_se": part["se"], "any": total, "claimed": claimed, "press_release": f.value("F37"),
        "status": status,
        # The two categories' covariance is not published, so only bounds on the SE of the sum exist.
        "se_lowest": abs(full["se"] - part["se"]), "se_highest": full["se"] + part["se"],
        "ids": [full["figure_id"], part["figure_id"]],
    }


def _national_security(f: Figures) -> dict:
    c = security_43_check(f)
    return _row(
        "L16", "In 2013-14, 43% of schools had some type of security personnel at least once a week.",
        f.cite(["A25"], c["ids"] + ["F37"]), f.text("A25"),
        f"{fmt(c['full_time'], 1)} + {fmt(c['part_time_only'], 1)} = {fmt(c['any'], 1)}%; NCES press release: {f.text('F37')}",
        c["status"],
        f"Full-time and part-time-only security staff do not overlap, so they add to any security staff. "
        f"The SE of the sum is not published: without the covariance it lies between "
        f"{fmt(c['se_lowest'], 2)} and {fmt(c['se_highest'], 2)} points.",
    )


def _representative(f: Figures) -> dict:
    sample, total = f.value("F45"), f.value("F41")
    responding = sample * f.value("F46") / 100
    weighted = total > sample
    return _row(
        "L17", "Because the survey was a sample, the real national SRO numbers are much higher.",
        f.cite(["A23"], ["F45", "F41"]), "numbers are much higher in reality",
        f"{fmt(sample)} schools sampled, about {fmt(round(responding))} responded; weighted to {fmt(total)} schools "
        f"(about {fmt(round(total / responding))} schools each)",
        "discrepancy" if weighted else "unverifiable",
        "NCES weights each responding school to stand for similar schools, so the percentages already estimate "
        "all public schools; a representative sample gives no reason to expect the true share to be much higher.",
    )


def _minnesota_all(f: Figures) -> dict:
    claimed, state = f.value("A26"), f.value("E01")
    return _row(
        "L18", "A 2014 Minnesota survey found SROs in 28% of schools.", f.cite(["A26"], ["E01"]), f.text("A26"),
        f"Minnesota DPS survey: {f.text('E01')} of public schools",
        match_status(claimed, state, f.half_unit("A26")),
        "The Minnesota Department of Public Safety survey gives the same share. Its data were collected in 2013 "
        "and published in 2014.",
    )


def _minnesota_high(f: Figures) -> dict:
    claimed, abstract = f.value("A27"), f.value("E05")
    # "6-in-10" is a figure rounded to tenths: anything that rounds to 6 tenths agrees with it.
    tenths = lambda percent: math.floor(percent / 10 + 0.5)  # half up: 65% is 7-in-10 (round() gives 6)
    agrees = tenths(claimed) == tenths(abstract)
    return _row(
        "L19", "For high schools serving grades 9-12 only, 61% across Minnesota have SROs.",
        f.cite(["A27"], ["E05"]), f.text("A27"),
        f"report abstract: {f.text('E05')}; {fmt(claimed)}% rounds to {fmt(tenths(claimed))}-in-10",
        "consistent" if agrees else "discrepancy",
        f"Only the abstract's rounded '{f.text('E05').removeprefix('as high as ')}' was readable; the exact {fmt(claimed)}% is unverified.",
    )


def _behavior_scale(f: Figures) -> dict:
    return _unverifiable(
        f, "L20", "MPS rates student behavior on a scale of 1 to 5, 5 being most serious.", ["A22"],
        "The Behavior Standards and Code of Conduct document was not available.",
    )


def _decreases(f: Figures) -> dict:
    series = [f.value(i) for i in ("D01", "D02", "D03", "D04")]
    years = [f.row(i)["school_year"] for i in ("D01", "D02", "D03", "D04")]
    falling = all(later < earlier for earlier, later in zip(series, series[1:]))
    referrals = (f.value("D13"), f.value("D15"))
    return _row(
        "L21", "SRO training and school-wide strategies have contributed to a continuing fall in incidents, "
        "citations or arrests, and suspensions.",
        f.cite([], ["D01", "D13"], place="FAQ 8"), "continuous decrease",
        f"Black students suspended (same point of year) {' > '.join(fmt(v) for v in series)}% "
        f"({years[0]} to {years[-1]}); referrals to the County Attorney {fmt(referrals[0])} ({f.row('D13')['school_year']}) "
        f"to {fmt(referrals[1])} ({f.row('D15')['school_year']})",
        "consistent" if falling and referrals[1] < referrals[0] else "discrepancy",
        "The published suspension and referral figures fall. No source gives incident or arrest counts, and "
        "nothing here tests whether SRO training caused the fall.",
    )


def _savings(f: Figures) -> dict:
    before, after, savings = f.value("C05"), f.value("C06"), f.value("C07")
    approximate = f.flagged("C05", "approximate")
    return _row(
        "L22", "Savings from cutting SROs will pay for more training and school supports.",
        f.cite([], ["C05", "C07"], place="Introduction, paragraph 5"), "savings (no amount on the page)",
        f"{fmt(before)} - {fmt(after)} = {fmt(before - after)} dollars; Star Tribune: {f.text('C07')}",
        total_status(before - after, savings, 0, approximate=approximate),
        "The fall in the contract's cost equals the savings the press reports; the 2016-17 cost is printed "
        "as 'almost' $1.28 million, so the match is approximate.",
    )


def claims_ledger(
    folder: str | os.PathLike | None = None,
    nearest: pd.DataFrame | None = None,
    almost_margin: float = ALMOST_MARGIN,
) -> pd.DataFrame:
    """One row per factual claim on the district's page, columns LEDGER_COLUMNS.

    `nearest` is `nearest_national_figures()` (None without the SSOCS microdata).
    """
    f = Figures.load(folder)
    rows = [
        _engagement_period(f), _scenarios(f), _vote(f), _reduction(f), _contract(f), _sites(f), _sex(f),
        _race(f), _history(f), _continuing_education(f), _preservice(f), _mps_training(f), _national_source(f),
        _national_sro_pct(f, nearest), _national_sro_count(f, almost_margin), _national_security(f),
        _representative(f), _minnesota_all(f), _minnesota_high(f), _behavior_scale(f), _decreases(f), _savings(f),
    ]
    return pd.DataFrame(rows, columns=LEDGER_COLUMNS)


def status_counts(ledger: pd.DataFrame) -> pd.DataFrame:
    """How many claims have each status, in STATUSES order (zeros kept)."""
    counts = ledger["status"].value_counts().reindex(list(STATUSES), fill_value=0)
    return counts.rename_axis("status").reset_index(name="claims")


def status_sentence(ledger: pd.DataFrame) -> str:
    """The ledger's statuses in one sentence, naming the claims that do not add up."""
    counts = status_counts(ledger).set_index("status")["claims"]
    flagged = ", ".join(ledger.loc[ledger["status"] == "discrepancy", "claim_id"])
    return (
        f"Of the {len(ledger)} factual claims, {counts['reproduced']} are reproduced from their published parts, "
        f"{counts['consistent']} agree with an independent source, {counts['discrepancy']} do not add up"
        f"{f' ({flagged})' if flagged else ''} and {counts['unverifiable']} cannot be checked with any source "
        f"the project can read."
    )


# --- the nearest national figures from the SSOCS microdata ------------------------------------

WHY_NOT_SAME = {
    "any_sro": (
        "Any full- or part-time SRO, the same kind of measure as the 30%, but from SSOCS 2005-06: "
        "eight years earlier and a different survey (SSOCS, not FRSS 106)."
    ),
    "sworn_law_enforcement": (
        "Any sworn law enforcement officer at least once a week, SROs included (item C0610): a wider measure "
        "than SROs only, two years later, from SSOCS. The 2015-16 public-use file has no SRO-only item."
    ),
}
MEASURE_LABELS = {"any_sro": "any SRO", "sworn_law_enforcement": "sworn law enforcement incl. SROs"}
PUBLISHED_MEASURE = {"any_sro": "sro_pct", "sworn_law_enforcement": "sworn_law_enforcement_pct"}


def nearest_national_figures(ssocs_dir: str | os.PathLike | None = None, folder=None) -> pd.DataFrame | None:
    """SSOCS 2005-06 any SRO and 2015-16 sworn law enforcement (with SEs), beside NCES's published
    figure for the same year; None when the SSOCS folder or either file is not there."""
    from sro_research.analysis import ssocs_estimates
    from sro_research.readers import ssocs

    if ssocs.find_ssocs_dir(ssocs_dir) is None:
        return None
    try:
        pieces = [
            ssocs_estimates.estimate_table(years=[year], indicators=[indicator], domains=["all"], ssocs_dir=ssocs_dir)
            for indicator, year in NEAREST_YEARS.items()
        ]
    except ssocs.SSOCSFileMissing:
        return None
    published = load_published("ssocs_published_tables", folder)
    rows = []
    for table in pieces:
        for r in table.itertuples():
            match = published[(published["measure"] == PUBLISHED_MEASURE[r.indicator]) & (published["school_year"] == r.year)]
            printed = float(match["value"].iloc[0]) if len(match) == 1 else math.nan
            rows.append({
                "year": r.year, "measure": MEASURE_LABELS[r.indicator], "estimate": round(r.estimate, 1),
                "se": round(r.se, 2), "ci_low": round(r.ci_low, 1), "ci_high": round(r.ci_high, 1), "n": int(r.n),
                "flag": r.flag, "nces_published": printed,
                "agrees_with_nces": bool(round(r.estimate) == printed) if not math.isnan(printed) else None,
                "why_not_the_30_percent": WHY_NOT_SAME[r.indicator],
            })
    return pd.DataFrame(rows)


def missing_ssocs_message(ssocs_dir: str | os.PathLike | None = None) -> str:
    """What the reader would need for the SSOCS rows: which files, where to get them, how to point to them."""
    from sro_research.readers import ssocs

    files = ssocs.expected_files(list(NEAREST_YEARS.values()))
    folder = ssocs.find_ssocs_dir(ssocs_dir)
    listed = ", ".join(f"{name} ({year})" for year, name in files.items())
    where = f"were not found in {folder}" if folder else f"were not given (no ssocs_dir parameter and no ${ssocs.SSOCS_DIR_ENV})"
    return (
        f"The SSOCS public-use files {listed} {where}, so the ledger shows only published figures beside the 30%. "
        f"With them it adds the nearest computable national figures with standard errors. NCES publishes the files "
        f"at {ssocs.NCES_DATA_URL}; set ${ssocs.SSOCS_DIR_ENV} or the ssocs_dir parameter to their folder."
    )


def national_context(folder=None, nearest: pd.DataFrame | None = None) -> pd.DataFrame:
    """The national shares around the district's 30%, one row each, for the figure and its table:
    label, year, percent, ci_low, ci_high (NaN when no SE is published), source."""
    f = Figures.load(folder)
    rows = [{"label": "MPS page: any SRO (claimed)", "year": f.row("A23")["school_year"], "percent": f.value("A23"),
             "source": "MPS SRO page"}]
    security = security_43_check(f)
    parts = f"{fmt(security['full_time'], 1)} + {fmt(security['part_time_only'], 1)}"
    rows.append({"label": f"NCES: any security staff ({parts})", "year": f.row(security["ids"][0])["school_year"], "percent": security["any"],
                 "source": "Digest 233.70a"})
    for r in f.rows[f.rows["measure"].isin(["sro_pct", "sworn_law_enforcement_pct"]) & f.rows["value"].notna()].itertuples():
        what = "any SRO" if r.measure == "sro_pct" else "sworn law enforcement incl. SROs"
        source = f.sources.loc[r.source_id]
        rows.append({"label": f"NCES via the press: {what}", "year": r.school_year, "percent": r.value,
                     "source": f"{source['publisher']}, {source['date']}"})
    if nearest is not None:
        for r in nearest.itertuples():
            rows.append({"label": f"SSOCS microdata: {r.measure}", "year": r.year, "percent": r.estimate,
                         "ci_low": r.ci_low, "ci_high": r.ci_high, "source": "SSOCS public-use file (this project)"})
    table = pd.DataFrame(rows, columns=["label", "year", "percent", "ci_low", "ci_high", "source"])
    return table.sort_values(["year", "label"], kind="stable").reset_index(drop=True)


def plot_national_context(context: pd.DataFrame):
    """Dot plot of `national_context`: each share with its 95% CI where one exists."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 0.45 * len(context) + 1.2))
    labels = [f"{r.year}  {r.label}" for r in context.itertuples()]
    y = range(len(context))[::-1]
    has_ci = context["ci_low"].notna()
    ax.errorbar(
        context.loc[has_ci, "percent"], [y[i] for i in context.index[has_ci]],
        xerr=[context.loc[has_ci, "percent"] - context.loc[has_ci, "ci_low"], context.loc[has_ci, "ci_high"] - context.loc[has_ci, "percent"]],
        fmt="o", color="black", capsize=3, label="estimate with 95% CI",
    )
    ax.plot(context.loc[~has_ci, "percent"], [y[i] for i in context.index[~has_ci]], "s", color="grey", label="published, no SE")
    ax.set_yticks(list(y), labels)
    ax.set_xlim(0, min(100, 10 * math.ceil((context[["percent", "ci_high"]].max().max() + 5) / 10)))
    ax.set_xlabel("percent of U.S. public schools")
    ax.legend(loc="upper center", bbox_to_anchor=(0.4, -0.18), ncol=2, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    return fig


CHECK_LABELS = {
    "percent": "percent with an SRO, as printed (%)",
    "claimed_schools": "schools, as printed ('almost')",
    "weighted_total": "weighted number of public schools, 2013-14",
    "weighted_total_se": "standard error of that number",
    "schools_at_percent": "percent x weighted number",
    "lowest_plausible": "smallest count: percent rounded down, total at its 95% lower bound",
    "highest_plausible": "largest count: percent rounded up, total at its 95% upper bound",
    "lowest_read_as_almost": "smallest count that could be called 'almost 30,000'",
    "implied_percent": "percent that 30,000 schools would be (%)",
    "full_time": "full-time security staff (%)",
    "full_time_se": "its standard error",
    "part_time_only": "part-time security staff only (%)",
    "part_time_only_se": "its standard error",
    "any": "any security staff: the sum (%)",
    "claimed": "percent with security personnel, as printed on the page (%)",
    "press_release": "percent in the NCES press release (%)",
    "se_lowest": "standard error of the sum, lowest possible",
    "se_highest": "standard error of the sum, highest possible",
    "status": "status",
}


def check_table(check: dict) -> pd.DataFrame:
    """A check's numbers as a two-column table a reader can follow line by line."""
    rows = []
    for key in CHECK_LABELS:
        if key not in check:
            continue
        value = check[key]
        shown = value if isinstance(value, str) else (fmt(round(value)) if abs(value) >= 1000 else fmt(round(value, 2)))
        rows.append({"quantity": CHECK_LABELS[key], "value": shown})
    return pd.DataFrame(rows)


def sources_table(folder=None) -> pd.DataFrame:
    """sources.csv as a reader sees it: 'not recorded' where a source gives no year."""
    table = load_sources(folder)[["source_id", "title", "publisher", "year", "url", "note"]].copy()
    table["year"] = table["year"].astype("string").fillna("not recorded")
    return table
