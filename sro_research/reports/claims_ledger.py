"""The claims ledger: each factual claim on the district's 2017 SRO page, its source, and a check.

The claims are data (data/published/claims.csv: claim, where the page makes it, kind of check and
its inputs); `claim_checks` holds one small function per kind of check. Statuses are computed
from the published figures (and, where given, SSOCS estimates), never stored. Nothing here opens
a file: the notebook's load-inputs cell reads the figures, the claims and the SSOCS estimates.
"""

from __future__ import annotations

import math
import os

import pandas as pd

from sro_research.district import DistrictProfile
from sro_research.readers import ssocs
from sro_research.readers.published import Figures, citation, figure
from sro_research.reports.claim_checks import STATUSES, Claim, fill, fmt, run_check

LEDGER_COLUMNS = ["claim_id", "status", "claim", "page_says", "checked_value", "reason", "source"]
NEAREST_YEARS = {"any_sro": "2005-06", "sworn_law_enforcement": "2015-16"}
# Section ids of the notebook's headings (nbconvert makes them from the heading text).
LEDGER_ANCHOR = "All-claims"
SINCE_ANCHOR = "Since-2017"
CHECK_ANCHORS = {"product": "Schools-the-national-percentage-stands-for", "nearest_ssocs": "Nearest-national-figures"}


def _source_text(f: Figures, claim_row, used: list[str]) -> str:
    """Where the page says it, and the sources the check reads (one citation style throughout)."""
    text = f"{citation(f.source(claim_row['source_id']), short=True)} ({claim_row['location']})"
    others = list(dict.fromkeys(f.row(i)["source_id"] for i in used))
    others = [s for s in others if s != claim_row["source_id"]]
    if others:
        text += "; checked against: " + "; ".join(f.cite(s) for s in others)
    return text


def claims_ledger(figures: Figures, claims: pd.DataFrame, nearest: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per claim of `claims` (claims.csv), columns LEDGER_COLUMNS plus `check` and `finding`.

    `nearest` is `nearest_national_figures(...)` (None without the SSOCS microdata).
    """
    rows = []
    for _, row in claims.iterrows():
        claim = Claim.from_row(row)
        result = run_check(figures, claim, nearest)
        finding = result.finding
        rows.append({
            "claim_id": claim.claim_id, "status": result.status, "claim": fill(row["claim"], figures, claim),
            "page_says": fill(row["page_says"], figures, claim), "checked_value": result.checked,
            # An unverifiable claim's note says why; the generic finding would only repeat the status.
            "reason": row["note"] if claim.check == "unverifiable" and row["note"] else f"{finding} {row['note']}".strip(), "source": _source_text(figures, row, result.used),
            "check": claim.check, "finding": finding,
        })
    return pd.DataFrame(rows, columns=[*LEDGER_COLUMNS, "check", "finding"])


def status_counts(ledger: pd.DataFrame) -> pd.DataFrame:
    """How many claims have each status, in STATUSES order (zeros kept)."""
    counts = ledger["status"].value_counts().reindex(list(STATUSES), fill_value=0)
    return counts.rename_axis("Status").reset_index(name="Claims")


STATUS_WORDS = {  # what each status means, as the sentence counting them says it: (one claim, several)
    "reproduced": ("is reproduced from independent sources", "are reproduced from independent sources"),
    "internally consistent": ("agrees only with the page's own figures", "agree only with the page's own figures"),
    "consistent": ("agrees with another source within rounding or vague wording",
                   "agree with another source within rounding or vague wording"),
    "discrepancy": ("does not add up", "do not add up"),
    "misleading reasoning": ("draws a conclusion its figures do not support", "draw conclusions their figures do not support"),
    "unverifiable": ("cannot be checked with any source the project can read", "cannot be checked with any source the project can read"),
}
NEEDS_ATTENTION = ("discrepancy", "misleading reasoning")  # the statuses the key findings name one by one


def status_sentence(ledger: pd.DataFrame) -> str:
    """The ledger's statuses in one sentence (a status no claim has is left out)."""
    counts = status_counts(ledger).set_index("Status")["Claims"]
    parts = [f"{counts[status]} {STATUS_WORDS[status][int(counts[status] > 1)]}" for status in STATUSES if counts[status]]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"Of the {len(ledger)} factual claims on the page, {listed}."


def key_findings(ledger: pd.DataFrame, since: pd.DataFrame | None = None, figures: Figures | None = None) -> list[tuple[str, str]]:
    """Status counts, then each claim that does not add up or does not follow, by content, then
    what happened after 2017 (at most 6)."""
    findings = [(status_sentence(ledger), LEDGER_ANCHOR)]
    for row in ledger[ledger["status"].isin(NEEDS_ATTENTION)].itertuples():
        findings.append((f"{row.finding.rstrip('.')} (claim {row.claim_id} in the ledger below).", CHECK_ANCHORS.get(row.check, LEDGER_ANCHOR)))
    findings = findings[:5]
    if since is not None and not since.empty and figures is not None:
        first = since.iloc[0]
        source = figures.source(first["source_id"])
        note = first["note"][:1].lower() + first["note"][1:]
        findings.append((f"After 2017, {source['publisher']} ({source['date'] or source['year']}) reports that {note}", SINCE_ANCHOR))
    return findings


# --- the nearest national figures from the SSOCS microdata ------------------------------------

WHY_NOT_SAME = {
    "any_sro": (
        "Any full- or part-time SRO, the same kind of measure as the page's figure, but from an earlier SSOCS year "
        "and a different survey (SSOCS, not FRSS)."
    ),
    "sworn_law_enforcement": (
        "Any sworn law enforcement officer at least once a week, SROs included (item C0610): a wider measure "
        "than SROs only, from a later SSOCS year, whose public-use file has no SRO-only item."
    ),
}
MEASURE_LABELS = {"any_sro": "any SRO", "sworn_law_enforcement": "sworn law enforcement incl. SROs"}
PUBLISHED_MEASURE = {"any_sro": "sro_pct", "sworn_law_enforcement": "sworn_law_enforcement_pct"}


def nearest_estimate_request() -> dict:
    """The arguments of `ssocs_estimates.estimate_table` the ledger needs (the notebook calls it once)."""
    return {"years": sorted(set(NEAREST_YEARS.values())), "indicators": list(NEAREST_YEARS), "domains": ["all"]}


def nearest_national_figures(estimates: pd.DataFrame | None, figures: Figures) -> pd.DataFrame | None:
    """SSOCS 2005-06 any SRO and 2015-16 sworn law enforcement (with SEs) from `estimates`
    (`ssocs_estimates.estimate_table(**nearest_estimate_request())`), beside NCES's published figure for the
    same year; None without estimates."""
    if estimates is None:
        return None
    wanted = estimates[[NEAREST_YEARS.get(r.indicator) == r.year for r in estimates.itertuples()]]
    if len(wanted) != len(NEAREST_YEARS):
        return None
    published = figures.dataset("ssocs_published_tables")
    rows = []
    for r in wanted.itertuples():
        match = published[(published["measure"] == PUBLISHED_MEASURE[r.indicator]) & (published["school_year"] == r.year)]
        printed = float(match["value"].iloc[0]) if len(match) == 1 else math.nan
        rows.append({
            "year": r.year, "indicator": r.indicator, "measure": MEASURE_LABELS[r.indicator], "estimate": round(r.estimate, 1),
            "se": round(r.se, 2), "ci_low": round(r.ci_low, 1), "ci_high": round(r.ci_high, 1), "n": int(r.n), "deff": r.deff,
            "flag": r.flag if isinstance(r.flag, str) and r.flag else "", "nces_published": printed,
            "agrees_with_nces": None if math.isnan(printed) else bool(round(r.estimate) == printed),
            "why_not_the_page_figure": WHY_NOT_SAME[r.indicator],
        })
    return pd.DataFrame(rows).sort_values("year", kind="stable").reset_index(drop=True)


NEAREST_WORDS = {
    "year": "Year", "measure": "Measure", "estimate": "Estimate (%)", "se": "Standard error", "ci_low": "95% CI low",
    "ci_high": "95% CI high", "n": "Schools answering", "flag": "NCES flag", "nces_published": "NCES published (%)",
    "agrees_with_nces": "Agrees with NCES", "why_not_the_page_figure": "Why it is not the page's figure",
}


def nearest_reader_table(nearest: pd.DataFrame) -> pd.DataFrame:
    """`nearest_national_figures` with column names in words and yes/no."""
    table = nearest.assign(
        agrees_with_nces=nearest["agrees_with_nces"].map({True: "yes", False: "no"}).fillna("no published figure"),
        flag=nearest["flag"].replace("", "none"),
    )
    return table.rename(columns=NEAREST_WORDS)[list(NEAREST_WORDS.values())]


def missing_ssocs_message(folder: str | os.PathLike | None) -> str:
    """What the reader would need for the SSOCS rows: which files, where to get them, how to point to them."""
    files = ssocs.expected_files(list(NEAREST_YEARS.values()))
    listed = ", ".join(f"{name} ({year})" for year, name in files.items())
    where = (f"were not found in the folder {os.path.basename(os.fspath(folder))}" if folder
             else "were not available to this build")
    return (
        f"The SSOCS public-use files {listed} {where}, so the ledger shows only published figures beside the page's "
        f"national figure. With them it adds the nearest computable national figures with standard errors. NCES "
        f"publishes the files at {ssocs.NCES_DATA_URL}; the project's README says how to build with them."
    )


def security_parts(f: Figures) -> dict:
    """Full-time and part-time-only security staff, all public schools, 2013-14 (Digest 233.70a)."""
    full = figure(f.rows, measure="security_staff_full_time_pct", group="All public schools", school_year="2013-14")
    part = figure(f.rows, measure="security_staff_part_time_only_pct", group="All public schools", school_year="2013-14")
    return {"full_time": full, "part_time_only": part, "any": round(full["value"] + part["value"], 1)}


def national_context(f: Figures, district: DistrictProfile, nearest: pd.DataFrame | None = None) -> pd.DataFrame:
    """The national shares around the page's figure (the profile's [figures] cited_national_sro), one row
    each, for the chart and its table: label, year, percent, ci_low, ci_high (NaN when no SE is published),
    source, is_claim."""
    claimed_id = district.figures["cited_national_sro"]
    claimed = f.row(claimed_id)
    rows = [{"label": f"{district.short_name} page: any SRO ({claimed['value_text']}, claimed)", "year": claimed["school_year"],
             "percent": f.value(claimed_id), "source": f.cite(claimed["source_id"]), "is_claim": True}]
    security = security_parts(f)
    parts = f"{fmt(security['full_time']['value'], 1)} + {fmt(security['part_time_only']['value'], 1)}"
    rows.append({"label": f"NCES: any security staff ({parts})", "year": security["full_time"]["school_year"],
                 "percent": security["any"], "source": f.cite(security["full_time"]["source_id"])})
    for r in f.rows[f.rows["measure"].isin(["sro_pct", "sworn_law_enforcement_pct"]) & f.rows["value"].notna()].itertuples():
        what = "any SRO" if r.measure == "sro_pct" else "sworn law enforcement incl. SROs"
        rows.append({"label": f"NCES via the press: {what}", "year": r.school_year, "percent": r.value,
                     "source": f.cite(r.source_id)})
    for r in (nearest.itertuples() if nearest is not None else []):
        rows.append({"label": f"SSOCS microdata: {r.measure}", "year": r.year, "percent": r.estimate,
                     "ci_low": r.ci_low, "ci_high": r.ci_high, "source": "SSOCS public-use file (this project)"})
    table = pd.DataFrame(rows, columns=["label", "year", "percent", "ci_low", "ci_high", "source", "is_claim"])
    table["is_claim"] = table["is_claim"].fillna(False).astype(bool)
    return table.sort_values(["year", "label"], kind="stable").reset_index(drop=True)


def claim(claims: pd.DataFrame, claim_id: str) -> Claim:
    """One claim of claims.csv, its inputs parsed (KeyError naming the id when absent)."""
    rows = claims[claims["claim_id"] == claim_id]
    if len(rows) != 1:
        raise KeyError(f"claims.csv has no claim {claim_id!r}")
    return Claim.from_row(rows.iloc[0])
