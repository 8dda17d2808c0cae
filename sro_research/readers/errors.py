"""The one base class of every reader error: a list of problems, each naming file, row, column and rule.

A broken export can break thousands of rows; the message shows the first ones (they show the pattern)
and counts the rest. No problem text ever quotes a cell: it may be a respondent's answer.
"""

from __future__ import annotations

MAX_ERRORS_SHOWN = 50


class InputFileError(ValueError):
    """An input file that breaks a rule; `problems` lists each one. Subclasses name the kind of input."""

    what = "input data"  # "... problem(s) reading <what>"

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        shown = self.problems[:MAX_ERRORS_SHOWN]
        text = "\n".join(f"- {p}" for p in shown)
        if len(self.problems) > len(shown):
            text += f"\n- ... and {len(self.problems) - len(shown)} more problem(s)"
        super().__init__(f"{len(self.problems)} problem(s) reading {self.what}:\n{text}")
