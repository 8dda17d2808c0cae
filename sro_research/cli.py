"""`sro-research build|list|render|comments`: the command-line face of the build.

Exit status: 0 all reports built or up to date; 1 a report failed (the others were still built);
2 the request was wrong (unknown report or parameter, bad value, bad reports.toml) and nothing ran;
130 / 143 the build was interrupted by SIGINT / SIGTERM (every published report left intact).
Keep the imports here light: `sro-research build` with nothing to rebuild must finish in well
under half a second, interpreter start included.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sro_research.build.pipeline import BuildError, build
from sro_research.build.config import ConfigError, load_reports
from sro_research.build.parameters import ParameterError, notebook_parameters
from sro_research.build.progress import MANY_REPORTS
from sro_research.data_status import STATUS_WORDS, labelled

USAGE_ERROR, REPORT_FAILED = 2, 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sro-research", description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="reports.toml to use (default: the project's)")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("build", help="execute report notebooks and render them to HTML")
    run.add_argument("names", nargs="*", metavar="NAME", help="reports to build (default: all)")
    run.add_argument("-p", "--parameter", action="append", default=[], metavar="KEY=VALUE",
                     help="set a notebook parameter; repeat for several")
    run.add_argument("--district", metavar="SLUG|PATH",
                     help="district profile to build for: a slug in districts/ or a path to a profile file "
                          "(default: $SRO_DISTRICT, else reports.toml's district)")
    run.add_argument("--out", help="output folder (default: reports/, or reports/SLUG/ for a district "
                                   "other than reports.toml's)")
    run.add_argument("-j", "--jobs", type=_positive, metavar="N",
                     help="reports to run at once on this machine (default: the number of CPUs)")
    run.add_argument("--scheduler", metavar="ADDRESS",
                     help="submit reports to a dask.distributed scheduler, e.g. tcp://10.0.0.5:8786 "
                          "(needs: pip install 'sro-research[dask]')")
    run.add_argument("--force", action="store_true", help="rebuild every report, even those up to date")
    commands.add_parser("list", help="list reports and their parameters")
    render = commands.add_parser("render", help="make the build's page from a notebook executed by plain papermill")
    render.add_argument("executed", metavar="EXECUTED", help="the notebook papermill wrote")
    render.add_argument("--out", required=True, help="folder to write REPORT.html into")
    render.add_argument("--report", help="the report in reports.toml (default: the one whose notebook and parameters fit)")
    review = commands.add_parser("comments", help="write a survey export's comments, scrubbed, for a person to approve")
    review.add_argument("export", metavar="EXPORT", help="the survey export (.csv or .xlsx)")
    review.add_argument("--mapping", help="column-mapping YAML (default: the export uses codebook names)")
    review.add_argument("--names", help="names roster to scrub (default: data/engagement/names.txt)")
    review.add_argument("--id-digits", metavar="MIN-MAX",
                        help="how many digits a student id has, e.g. 6-9 or 8-8 (default: the district profile's)")
    review.add_argument("--district", metavar="SLUG|PATH", help="district profile whose id formats to use "
                        "(default: $SRO_DISTRICT, else reports.toml's district)")
    review.add_argument("--out", required=True, help="review CSV to write, in a private folder (never under reports/)")
    return parser


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expects a whole number of at least 1, got {text!r}")
    return int(text)


OUTPUT_MARKERS = ("manifest.json", "index.html")  # a folder holding one of these is a built output folder


def review_destination(out: str, reports_dir) -> Path:
    """`out` resolved, or ValueError when it would be published: in or under the project's reports/
    folder, any folder named reports, or any build output folder (one holding a manifest or index.html)."""
    out = Path(out).expanduser().resolve()
    reports = Path(reports_dir).resolve()
    folders = out.parents
    if reports in folders or any(f.name == "reports" for f in folders) or \
            any((f / marker).exists() for f in folders for marker in OUTPUT_MARKERS):
        raise ValueError(
            f"refusing to write the comment review file to {out}: it holds unreviewed comments and must stay "
            f"out of every published output folder (reports/, or a folder holding a build's manifest.json or "
            f"index.html); choose a private folder, e.g. --out ~/review.csv"
        )
    if out.suffix.lower() != ".csv":
        raise ValueError(f"the review file must be a .csv file, got {out.name}")
    return out


def _comments(args: argparse.Namespace) -> int:
    # Imported here: `build` and `list` need none of the survey readers.
    from sro_research.district import load_profile
    from sro_research.paths import reports_dir
    from sro_research.privacy.review import review_table
    from sro_research.readers.engagement import read_responses
    from sro_research.readers.word_lists import load_names

    try:
        profile = load_profile(args.district, args.config)
        id_lengths, other_id_lengths = profile.id_lengths, profile.other_id_lengths
        if args.id_digits:
            low, _, high = args.id_digits.partition("-")
            if not (low.isdigit() and (high or low).isdigit()):
                raise ValueError(f"--id-digits: expected MIN-MAX digits, e.g. 6-9, got {args.id_digits!r}")
            id_lengths = (int(low), int(high or low))
        out = review_destination(args.out, reports_dir())
        survey = read_responses(args.export, args.mapping)
        if survey.id_warning:
            print(f"sro-research: warning: {survey.id_warning}", file=sys.stderr)
        names = load_names(args.names, id_lengths=id_lengths, other_id_lengths=other_id_lengths)
        table = review_table(survey.responses, names, survey.comment_key, survey.sha256)
        out.parent.mkdir(parents=True, exist_ok=True)
        table.to_csv(out, index=False, encoding="utf-8-sig")  # with a BOM, so Excel shows accents right
    except (ValueError, OSError) as exc:  # unreadable export, mapping or roster; a refused destination
        print(f"sro-research: error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    flagged = int((table["detected"] != "").sum())
    hinted = int((table["possible_name"] != "").sum())
    print(f"wrote {len(table):,} comments ({flagged:,} with personal information found and marked, {hinted:,} "
          f"more with a possible name to look at) to {out}; fill the approve column with yes or no and pass the "
          f"file to the report as approved_comments_path (with the same names list); it is valid only for this export")
    return 0


def _list(config: str | None) -> int:
    for name, spec in load_reports(config).items():
        print(f"{name}: {labelled(spec.fan_out.get('title') or spec.title, spec.data_status)}")
        if spec.data_status:
            print(f"  data: {STATUS_WORDS[spec.data_status]}")
        print(f"  notebook: {spec.notebook.name}")
        if spec.fan_out:
            arguments = ", ".join(f"{k}={v!r}" for k, v in spec.fan_out.items() if k not in ("over", "title"))
            print(f"  fan-out: one report per district listed by {spec.fan_out['over']}({arguments}), "
                  f"named {name}__<leaid>")
        for param in notebook_parameters(spec.notebook).values():
            default = param.default_source
            if param.name in spec.parameters:
                default = f"{spec.parameters[param.name]!r} (reports.toml; notebook: {param.default_source})"
            required = " REQUIRED" if param.required and param.name not in spec.parameters else ""
            help_text = f"  # {param.help}" if param.help else ""
            print(f"  {param.name}: {param.describe_type()} = {default}{required}{help_text}")
    return 0


def _render(args: argparse.Namespace) -> int:
    from sro_research.build.executed import render_executed

    page = render_executed(args.executed, args.out, args.report, args.config)
    print(f"rendered {page.stem}: {page}")
    return 0


def _build(args: argparse.Namespace) -> int:
    from sro_research.build.interrupt import Interrupted

    try:
        results = build(args.names, args.parameter, args.out, args.config,
                        jobs=args.jobs, scheduler=args.scheduler, force=args.force, district=args.district)
    except Interrupted as exc:
        print(f"sro-research: interrupted by {exc}; published reports are unchanged", file=sys.stderr)
        return exc.exit_code
    failed = [r for r in results if not r.ok]
    many = len(results) > MANY_REPORTS  # a fan-out: counts, and each failure by name
    if many:
        built = sum(1 for r in results if r.ok and r.status != "up to date")
        print(f"{len(results)} reports: {built} built, {len(results) - built - len(failed)} up to date, "
              f"{len(failed)} failed; pages in {results[0].html.parent if results[0].html else 'the output folder'}")
    for result in results:
        if result.ok and many:
            continue
        if result.status == "up to date":
            print(f"up to date {result.name}: {result.html}")
        elif result.ok:
            print(f"built {result.name} ({result.reason}): {result.html}")
        else:
            # The full message (it may quote a value from the data) goes to the terminal only.
            kept = f"; executed notebook kept at {result.failed_notebook}" if result.failed_notebook else ""
            stale = "; the published page is now marked stale" if result.stale else ""
            print(f"FAILED {result.name}: {result.failure}{kept}{stale}", file=sys.stderr)
    return REPORT_FAILED if failed else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "list":
            return _list(args.config)
        if args.command == "comments":
            return _comments(args)
        if args.command == "render":
            return _render(args)
        return _build(args)
    except (BuildError, ParameterError, ConfigError) as exc:
        print(f"sro-research: error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error (see the Python signal docs).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
