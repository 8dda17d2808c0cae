"""A notebook executed outside the build (plain papermill: Airflow's PapermillOperator, cron) made
into the page the build makes: `sro-research render EXECUTED.ipynb --out DIR`.

The page needs what the build would have known: which report this is (its title, site header and
footer), the parameters, and the inputs read. Papermill records the source notebook and the
parameters it injected in the notebook's metadata; the kernel recorded every input as a hidden
output (provenance.record_input). So the scheduler's page matches the build's, footer included.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timezone
from pathlib import Path

from sro_research.build.config import ReportSpec, config_path, district_environment, load_reports, with_values
from sro_research.build.pipeline import BuildError, Plan, git_commit, page_provenance
from sro_research.build.parameters import notebook_parameters, resolve
from sro_research.build import cache


def _report_for(papermill: dict, specs: dict[str, ReportSpec], name: str | None) -> ReportSpec:
    """The reports.toml entry the notebook was run as: named, or the one its notebook and parameters fit."""
    if name:
        if name not in specs:
            raise BuildError(f"unknown report {name!r}; reports: {', '.join(specs)}")
        return specs[name]
    source = Path(papermill.get("input_path") or "").name
    injected = papermill.get("parameters") or {}
    fitting = []
    for spec in specs.values():
        if spec.notebook.name != source or spec.fan_out:  # a fan-out's districts have reports of their own
            continue
        defaults = {p.name: p.default for p in notebook_parameters(spec.notebook).values()}
        ran_with = {**defaults, **injected}
        if all(ran_with.get(key) == value for key, value in spec.parameters.items()):
            fitting.append(spec.name)
    if len(fitting) != 1:
        found = f"reports {', '.join(fitting)} fit it" if fitting else "no report in reports.toml fits it"
        raise BuildError(f"the notebook was run from {source or 'an unknown notebook'}: {found}; name one with --report")
    return specs[fitting[0]]


def _started(papermill: dict) -> str:
    """papermill's start time (UTC, without zone) written as the build writes its own."""
    try:
        moment = datetime.fromisoformat(papermill["start_time"])
    except (KeyError, TypeError, ValueError):
        return ""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return moment.replace(microsecond=0).isoformat()


def render_executed(executed: str | os.PathLike, out: str | os.PathLike, report: str | None = None,
                    config: str | os.PathLike | None = None) -> Path:
    """Write DIR/<report>.html for a notebook papermill executed; BuildError when it cannot be told apart."""
    import nbformat

    from sro_research.build.render import render_html
    from sro_research.provenance import notebook_inputs

    executed = Path(executed)
    try:
        nb = nbformat.read(executed, as_version=4)
    except (OSError, ValueError) as exc:
        raise BuildError(f"{executed}: cannot read the notebook: {exc}") from exc
    papermill = nb.metadata.get("papermill")
    if not papermill:
        raise BuildError(f"{executed}: not executed by papermill (no papermill metadata)")
    if papermill.get("exception"):
        raise BuildError(f"{executed}: the notebook stopped with an error; only a notebook that ran to the end is published")
    root = config_path(config).parent
    spec = _report_for(papermill, load_reports(config), report)
    declared = notebook_parameters(spec.notebook)
    values = {**resolve(spec.name, declared, spec.parameters, {}), **(papermill.get("parameters") or {})}
    spec = with_values(spec, values)  # the title names the values papermill ran with
    item = Plan(spec, declared, values, {**cache.environment_values(spec.env), **district_environment(spec.district)})
    nb.metadata["sro_research"] = {
        **page_provenance(item, root, git_commit(root)),
        "built_at": _started(papermill),
        "seconds": round(float(papermill.get("duration") or 0), 1),
        "inputs": notebook_inputs(nb),
    }
    page = Path(out) / f"{spec.name}.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    # Run by hand, a notebook links its CSVs under the folder it wrote them to (tables/interactive/, or
    # the Lab session's name); on the published page they sit under the report's own name, as the build's.
    html = re.sub(r'href="tables/[^/"]+/', f'href="tables/{spec.name}/', render_html(nb, spec.title, str(spec.district.path) if spec.district else None))
    page.write_text(html, encoding="utf-8")
    return page
