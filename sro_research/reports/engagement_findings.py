"""What the engagement_findings report shows: reader-ready tables (labelled, suppressed, guarded),
charts with Wilson intervals, and plain-words sentences, built from engagement_stats.

Every count table goes through suppression and then the guard before it is returned, so a
notebook cannot show a small count by forgetting a step.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
import yaml

from sro_research.readers.engagement import Survey, completeness, load_codebook, read_responses
from sro_research.analysis.engagement_stats import (
    GROUP_NAMES,
    NOT_GIVEN,
    answer_shares,
    chi_square,
    describe_difference,
    hidden_shares,
    percent_as_published,
    reason_counts,
)
from sro_research.privacy.freetext import assert_scrubbed, comment_themes, theme_counts
from sro_research.provenance import record_input
from sro_research.readers.published import load_sources
from sro_research.synthetic.reconstruction import shipped_path
from sro_research.privacy.suppression import (
    DEFAULT_THRESHOLD,
    SUPPRESSED,
    check_no_small_counts,
    check_shares_need_counts,
    suppress,
    suppress_shares,
)

SCENARIO_SHORT = {"maintain_modify": "1 Maintain/Modify", "reduce_support": "2 Reduce and Support",
                  "eliminate": "3 Eliminate"}


def load_survey(responses_path: str | os.PathLike | None, mapping_path: str | os.PathLike | None) -> Survey:
    """The export at `responses_path` read through `mapping_path`; by default the shipped reconstruction."""
    return read_responses(responses_path or shipped_path(), mapping_path)


def reconstruction_notice(survey: Survey) -> str | None:
    """The banner text for a reconstruction (None for real data): which numbers are published and
    which are illustrative, from data/engagement/reconstruction_2017.yaml."""
    if not survey.is_reconstruction:
        return None
    about_path = shipped_path().parent / "reconstruction_2017.yaml"
    record_input(about_path, role="reconstruction notes")
    about = yaml.safe_load(about_path.read_text(encoding="utf-8"))
    codebook = load_codebook()
    def name(key):
        return codebook.item(key).label if key in codebook.names else key.replace("_", " ").capitalize()
    illustrative = "; ".join(f"{name(k)}: {v}" for k, v in about["illustrative"].items())
    return (
        "These are not the district's survey responses. The respondent-level data is not public, so this "
        "report runs on a reconstruction: synthetic respondents (ids RECON-…) built so that every figure "
        "the press printed in 2017 comes out exactly (group sizes, the agreement shares, 'almost half' of "
        "students wanting less SRO time, the ranking of reasons, the plurality scenario). "
        f"Everything else is illustrative, not measured — {illustrative}. "
        "Confidence intervals and tests describe the reconstruction, not the 2017 respondents."
    )


def _label(code, item: str) -> str:
    if item == "role":
        return GROUP_NAMES.get(code, code)
    if item == "scenario":
        return SCENARIO_SHORT.get(code, code)
    values = load_codebook().item(item).values
    return values.get(code, code)


def _as_percent(table: pd.DataFrame) -> pd.DataFrame:
    out = table.copy()
    for column in ("share", "ci_low", "ci_high"):
        out[column] = [v if v == SUPPRESSED else round(100 * v, 1) for v in out[column]]
    return out.rename(columns={"share": "percent", "ci_low": "ci95_low", "ci_high": "ci95_high"})


def shares_table(responses: pd.DataFrame, item: str, by: list[str], threshold: int) -> pd.DataFrame:
    """Share answering each way (or agreeing, item="agreed"), by group, with Wilson 95% CIs in percent.

    Counts are suppressed as a table: within each group of by[:-1], the by[-1] x answer counts with
    their totals get primary and complementary suppression, so a hidden count cannot be worked out
    from n or from the other answers (for "agreed", from the number who did not agree). A hidden
    count hides its share and interval; a hidden total hides n. A missing by[-1] answer (e.g. race
    not given) is its own row, so the rows add up to the group totals shown elsewhere.
    """
    data = responses.copy()
    if len(by) > 1:
        data[by[-1]] = data[by[-1]].fillna(NOT_GIVEN)
    table = _suppress_long(answer_shares(data, item, by), by, threshold)
    if item == "agreed":
        table = table[table["answer"] == "agreed"].drop(columns="answer")
    check_no_small_counts(table, threshold, ["count", "n"])
    check_shares_need_counts(table, ["share", "ci_low", "ci_high"], "count", "n")
    for column in by:
        table[column] = table[column].map(lambda c, col=column: _label(c, col))
    if "answer" in table:
        table["answer"] = table["answer"].map(lambda c: _label(c, item))
    return _as_percent(table).reset_index(drop=True)


def _suppress_long(table: pd.DataFrame, by: list[str], threshold: int) -> pd.DataFrame:
    hidden_count, hidden_n = hidden_shares(table, by, threshold)
    out = table.astype({c: object for c in ("count", "n", "share", "ci_low", "ci_high")})
    # A share with its count gives n away, so a hidden n hides the share too.
    out.loc[hidden_count, "count"] = SUPPRESSED
    out.loc[hidden_n, "n"] = SUPPRESSED
    for column in ("share", "ci_low", "ci_high"):
        out.loc[hidden_count | hidden_n, column] = SUPPRESSED
    out["suppressed"] = hidden_count | hidden_n
    return out


def completeness_table(responses: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """Complete and partial responses per group, suppressed so no small count can be worked out."""
    counts = completeness(responses).set_index("role")[["complete", "partial"]]
    counts.index = [_label(code, "role") if code != "not given" else NOT_GIVEN for code in counts.index]
    return suppressed_counts(counts, threshold, index_name="group", total_name="respondents")


def suppressed_counts(counts: pd.DataFrame, threshold: int, index_name: str, total_name: str = "Total",
                      totals: bool = True) -> pd.DataFrame:
    """A count table with primary and complementary suppression applied, checked, ready to show."""
    result = suppress(counts, threshold, totals=totals)
    shown = result.display().rename(columns={"Total": total_name})
    shown.index.name = index_name
    shown.columns.name = None
    check_no_small_counts(shown, threshold, list(shown.columns))
    return shown.reset_index()


def reasons_table(responses: pd.DataFrame, agreed: bool, threshold: int) -> pd.DataFrame:
    """Reasons chosen by respondents who agreed (or disagreed), most chosen first, suppressed.

    Every reason in the codebook is listed: one left out would tell a reader nobody chose it.
    Suppressed reasons follow the shown ones in codebook order, so their order says nothing either.
    """
    table = reason_counts(responses, agreed)
    labels = load_codebook().item("reasons").values
    unchosen = [code for code in labels if code not in set(table["reason"])]
    of = int(table["of"].iloc[0]) if len(table) else 0
    table = pd.concat([table, pd.DataFrame({"reason": unchosen, "label": [labels[c] for c in unchosen],
                                            "respondents": 0, "of": of})], ignore_index=True)
    table = table.assign(share=table["respondents"] / table["of"].where(table["of"] > 0))
    table = suppress_shares(table, "respondents", "of", threshold, dependent=("share",))
    order = {code: i for i, code in enumerate(labels)}
    table = table.assign(_hidden_order=[order[c] if hidden else -1 for c, hidden in zip(table["reason"], table["suppressed"])])
    table = table.sort_values("_hidden_order", kind="stable").drop(columns="_hidden_order").reset_index(drop=True)
    check_no_small_counts(table, threshold, ["respondents", "of"], total_column="of")
    table["share"] = [v if v == SUPPRESSED else round(100 * v, 1) for v in table["share"]]
    return table.rename(columns={"share": "percent", "of": "answered"}).drop(columns="suppressed")


def tests_table(responses: pd.DataFrame) -> pd.DataFrame:
    """Chi-square tests of group by scenario and group by agreement, with Cramér's V."""
    rows = []
    for column, name in (("scenario", "group by preferred scenario"), ("sro_agree", "group by agreement (4-point scale)")):
        try:
            rows.append({**chi_square(responses, "role", column), "test": name})
        except ValueError as error:  # e.g. an export with one group only: say so, do not stop the report
            rows.append({"test": name, "note": str(error)})
    table = pd.DataFrame(rows)
    return table.round({c: d for c, d in {"chi_square": 2, "p_value": 4, "cramers_v": 3, "smallest_expected": 1}.items()
                        if c in table})


def comparison_sentences(responses: pd.DataFrame, threshold: int) -> list[str]:
    """Plain-words comparisons of agreement between groups, skipping groups too small to show."""
    # Only shares the tables show: a share hidden there (even to protect another cell) stays hidden.
    shares = answer_shares(responses, "agreed", ["role"])
    if not shares.empty:
        shares = _suppress_long(shares, ["role"], threshold)
        shares = shares[(shares["answer"] == "agreed") & ~shares["suppressed"]]
    rows = {r["role"]: r for _, r in shares.iterrows()}
    sentences = []
    for a, b in (("student", "staff"), ("student", "parent"), ("staff", "parent")):
        if a in rows and b in rows:
            sentences.append(describe_difference(GROUP_NAMES[a].lower(), rows[a], GROUP_NAMES[b].lower(), rows[b]))
    scenarios = answer_shares(responses, "scenario", ["role"])
    tops = {}
    if not scenarios.empty:
        scenarios["hidden"] = _suppress_long(scenarios, ["role"], threshold)["suppressed"]
    for role, part in (scenarios.groupby("role", sort=False) if not scenarios.empty else []):
        ranked = part.sort_values("count", ascending=False, kind="stable")
        best = ranked.iloc[0]
        tied = ranked[ranked["count"] == best["count"]]
        if tied["hidden"].any():  # the most common answer's share is hidden (or a tie would reveal one)
            continue
        tied = tied["answer"].map(SCENARIO_SHORT).tolist()
        name = tied[0] if len(tied) == 1 else "a tie between " + " and ".join(tied)
        tops[role] = (name, percent_as_published(int(best["count"]), int(best["n"])))
    if tops:
        favourites = {name for name, _ in tops.values()}
        listed = ", ".join(f"{GROUP_NAMES[r].lower()} {pct}%" for r, (_, pct) in tops.items())
        if len(favourites) == 1:
            sentences.append(f"In every group shown, {favourites.pop()} was the most common choice ({listed}).")
        else:
            sentences.append("The most preferred scenario differed by group: "
                             + ", ".join(f"{GROUP_NAMES[r].lower()} {name} ({pct}%)" for r, (name, pct) in tops.items()) + ".")
    for column in ("scenario", "sro_agree"):
        try:
            test = chi_square(responses, "role", column)
        except ValueError:
            continue
        what = "preferred scenario" if test["test"].endswith("scenario") else "agreement"
        strength = ("negligible" if test["cramers_v"] < 0.1 else "small" if test["cramers_v"] < 0.3
                    else "moderate" if test["cramers_v"] < 0.5 else "strong")
        verdict = "differs between groups" if test["p_value"] < 0.05 else "does not clearly differ between groups"
        sentences.append(
            f"The {what} {verdict} (chi-square {test['chi_square']:.1f}, {test['dof']} degrees of freedom, "
            f"p = {test['p_value']:.3g}); the association is {strength} (Cramér's V = {test['cramers_v']:.2f})."
        )
    return sentences


def plot_shares(table: pd.DataFrame, x: str, hue: str | None, title: str, ylabel: str, label: str | None = None):
    """Bar chart of `percent` with Wilson 95% interval whiskers; suppressed rows are left out.

    `label` is printed under the chart (e.g. that the data is a reconstruction), so the figure
    carries it wherever it is copied to.
    """
    data = table[table["percent"] != SUPPRESSED].copy()
    for column in ("percent", "ci95_low", "ci95_high"):
        data[column] = data[column].astype(float)
    order = list(dict.fromkeys(data[x]))
    hue_order = list(dict.fromkeys(data[hue])) if hue else None
    fig, ax = plt.subplots(figsize=(8, 4))
    palette = sns.color_palette("colorblind")
    sns.barplot(data=data, x=x, y="percent", hue=hue, order=order, hue_order=hue_order, errorbar=None, ax=ax,
                palette=palette[: len(hue_order)] if hue else None, color=None if hue else palette[0])
    # seaborn draws one container of bars per hue level; whiskers come from our Wilson intervals.
    for container, level in zip(ax.containers, hue_order or [None]):
        for bar in container:
            if not bar.get_height() == bar.get_height():  # NaN: no bar for this combination
                continue
            position = int(round(bar.get_x() + bar.get_width() / 2))
            match = data[data[x] == order[position]]
            if hue:
                match = match[match[hue] == level]
            if match.empty:
                continue
            row = match.iloc[0]
            ax.errorbar(bar.get_x() + bar.get_width() / 2, row["percent"],
                        yerr=[[row["percent"] - row["ci95_low"]], [row["ci95_high"] - row["percent"]]],
                        color="black", capsize=3, linewidth=1)
    ax.set_ylim(0, 100)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("")
    ax.set_title(title)
    if hue:
        ax.legend(title="", frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    footer = "Whiskers: Wilson 95% confidence intervals."
    if (table["percent"] == SUPPRESSED).any():
        footer += " Groups too small to show are left out."
    if label:
        footer = f"{label} {footer}"
    fig.text(0.01, 0.01, footer, fontsize="x-small", ha="left", va="bottom", wrap=True)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return fig


def figure_label(survey: Survey) -> str | None:
    """The line every chart of a reconstruction carries."""
    if survey.is_reconstruction:
        return "RECONSTRUCTION: synthetic respondents; only the published 2017 figures are real, the rest is illustrative."
    return None


def comment_tables(responses: pd.DataFrame, names: list[str], themes, threshold: int) -> tuple[pd.DataFrame | None, pd.DataFrame]:
    """Theme counts by preferred scenario (suppressed; None when nobody wrote a comment) and the
    scrubbed comments with their themes."""
    tagged = comment_themes(responses["comment"], names, themes)
    if tagged.empty:
        return None, tagged
    scenario = responses["scenario"].map(lambda c: _label(c, "scenario") if isinstance(c, str) else c)
    counts = theme_counts(tagged, scenario, themes).set_index("theme")
    counts = counts.reindex(columns=[c for c in [*SCENARIO_SHORT.values(), "not answered"] if c in counts.columns])
    # A comment can carry several themes, so we show no totals; they are still protected as if known.
    shown = suppressed_counts(counts, threshold, index_name="theme", totals=False)
    return shown, tagged


def example_comments(tagged: pd.DataFrame, responses: pd.DataFrame, themes, names: list[str], k: int = 6,
                     show_scrubbed: bool = False) -> pd.DataFrame:
    """A few scrubbed comments, one per theme; only the comment, its themes and the preferred
    scenario are shown, nothing about the person.

    With show_scrubbed (for the reconstruction, whose personal information is fake) comments that
    held personal information come first, to show what scrubbing does. Otherwise they are never
    chosen: a comment that named someone may identify them in other ways too.
    """
    codes = [t.code for t in themes]
    pool = tagged if show_scrubbed else tagged[~tagged["scrubbed"]]
    chosen = list(pool.index[pool["scrubbed"]][: k // 2]) if show_scrubbed else []
    for code in codes:
        if len(chosen) >= k:
            break
        candidates = [i for i in pool.index[pool[code]] if i not in chosen]
        if candidates:
            chosen.append(candidates[0])
    rows = tagged.loc[chosen]
    labels = {t.code: t.label for t in themes}
    table = pd.DataFrame({
        "comment (scrubbed)": rows["comment"],
        "themes": [", ".join(labels[c] for c in codes if row[c]) or "none" for _, row in rows.iterrows()],
        "preferred scenario": responses.loc[chosen, "scenario"].map(
            lambda c: _label(c, "scenario") if isinstance(c, str) else "not answered"),
    })
    assert_scrubbed(table["comment (scrubbed)"], names)
    return table.reset_index(drop=True)


def published_table(checks: pd.DataFrame, sources: dict) -> pd.DataFrame:
    """The published-vs-reproduced checks with each figure's source named."""
    table = checks.copy()
    table["source"] = table["source_id"].map(lambda s: f"{sources[s]['publisher']}, {sources[s]['url']}" if s in sources else s)
    return table[["figure_id", "group", "published", "reproduced", "check", "rule", "source"]]


def input_note(survey: Survey) -> str:
    mapping = f"column mapping `{Path(survey.mapping).name}`" if survey.mapping else "no column mapping (codebook headers and codes)"
    ignored = f" Columns not used: {', '.join(survey.ignored_columns)}." if survey.ignored_columns else ""
    if survey.absent_items:
        labels = [load_codebook().item(name).label for name in survey.absent_items]
        ignored += f" Not in this export (left unanswered): {'; '.join(labels)}."
    return (f"Responses read from `{survey.source.name}` (SHA-256 `{survey.sha256[:16]}…`) with {mapping}: "
            f"{len(survey.responses):,} respondents.{ignored}")


def checks_sentence(checks: pd.DataFrame, published: pd.DataFrame) -> str:
    """Plain words for the published-vs-reproduced table, with the published note for each mismatch."""
    if checks.empty:
        return "No published figures for this school year; nothing to check."
    counts = checks["check"].value_counts()
    text = (f"Of {len(checks)} published figures, {counts.get('yes', 0)} agree with the data, "
            f"{counts.get('no', 0)} {'does' if counts.get('no', 0) == 1 else 'do'} not, "
            + (f"{counts['not shown']} cannot be shown without revealing a count under the suppression threshold, "
               if counts.get("not shown", 0) else "")
            + f"and {counts.get('not checkable', 0)} cannot be checked from survey answers.")
    figures = published.set_index("figure_id")
    for _, row in checks[checks["check"] == "no"].iterrows():
        why = figures["note"].get(row["figure_id"])
        conflict = "conflicting_sources" in str(figures["flags"].get(row["figure_id"], ""))
        text += (f"\n\n- **{row['figure_id']}** ({row['group']}): printed *{row['published']}*, the data give "
                 f"*{row['reproduced']}*." + (f" Source note: {why}" if isinstance(why, str) and why else "")
                 + (" The sources contradict each other here, so no data can agree with both." if conflict else ""))
    return text


def comments_sentence(tagged: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD) -> str:
    """How many wrote a comment and how many comments held personal information, without a count
    (or a difference of counts) under `threshold`."""
    total, scrubbed = len(tagged), int(tagged["scrubbed"].sum())
    if total < threshold:
        return (f"Fewer than {threshold} respondents wrote a comment. Personal information was removed "
                "from any that held it before any use.")
    if scrubbed < threshold:  # zero included: no count under the threshold is shown
        found = f"fewer than {threshold}"
    elif total - scrubbed < threshold:
        found = f"all but fewer than {threshold}"
    else:
        found = f"{scrubbed:,}"
    return f"{total:,} respondents wrote a comment. Personal information was found and removed in {found} of them before any use."


def chart_description(table: pd.DataFrame, x: str, hue: str | None, title: str) -> str:
    """Alternative text for a plot_shares chart: every bar's percent and interval, in words."""
    shown = table[table["percent"] != SUPPRESSED]
    parts = []
    for _, row in shown.iterrows():
        name = f"{row[x]}, {row[hue]}" if hue else row[x]
        parts.append(f"{name}: {row['percent']}% (95% CI {row['ci95_low']} to {row['ci95_high']})")
    hidden = len(table) - len(shown)
    extra = f" {hidden} group(s) too small to show are left out." if hidden else ""
    return f"Bar chart, {title}. " + "; ".join(parts) + "." + extra


def codebook_table() -> pd.DataFrame:
    """The survey's questions, their answers, and whether each is known from a published source."""
    sources = load_sources().set_index("source_id")
    rows = []
    for item in load_codebook().items:
        if item.name in ("respondent_id", "data_status"):
            continue
        published = [label for code, label in item.values.items()
                     if item.value_status.get(code, item.status) == "published"]
        rows.append({
            "question": item.label,
            "answers": "; ".join(item.values.values()) or "(written answer)",
            "status": item.status,
            "answers known from sources": "; ".join(published) if item.status == "published" else "",
            "what the sources show": item.evidence,
            "sources": "; ".join(f"{sources.loc[s, 'publisher']} ({s})" for s in item.source_ids),
        })
    return pd.DataFrame(rows)


def themes_table(themes) -> pd.DataFrame:
    """The keyword codebook itself, so a reader can see exactly what puts a comment in a theme."""
    return pd.DataFrame({"theme": [t.label for t in themes],
                         "keywords (* = any ending)": [", ".join(t.keywords) for t in themes]})
