import io

from sro_research.build.progress import MANY_REPORTS, CountingProgress, LineProgress, TerminalProgress, for_stream


def test_line_progress_is_quiet_and_line_based():
    stream = io.StringIO()
    progress = LineProgress(stream, slow=0.0)
    progress.report_start("demo", 2)
    progress.cell_start("demo", 0, 2)
    progress.cell_done("demo", 0, 2)
    progress.report_done("demo", True, 1.23)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "[demo] running 2 cells"
    assert lines[1].startswith("[demo] cell 1/2 took")
    assert lines[2] == "[demo] built in 1.2s"
    assert "\r" not in stream.getvalue()


def test_slow_threshold_keeps_logs_short():
    stream = io.StringIO()
    progress = LineProgress(stream, slow=60)
    progress.cell_start("demo", 0, 1)
    progress.cell_done("demo", 0, 1)
    assert stream.getvalue() == ""


def test_terminal_gets_a_bar_and_logs_get_lines():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    assert isinstance(for_stream(Tty()), TerminalProgress)
    assert type(for_stream(io.StringIO())) is LineProgress
    tty = Tty()
    bar = TerminalProgress(tty)
    bar.report_start("demo", 3)
    for i in range(3):
        bar.cell_start("demo", i, 3)
        bar.cell_done("demo", i, 3)
    bar.report_done("demo", False, 2.0, "demo.ipynb cell 2: ValueError: x")
    assert "3/3" in tty.getvalue() and "[demo] FAILED in 2.0s: demo.ipynb cell 2" in tty.getvalue()


def test_each_running_report_gets_its_own_bar_and_events_travel_from_workers():
    import queue

    from sro_research.build.progress import QueueProgress, forward

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    shown = TerminalProgress(tty)
    events = queue.Queue()
    worker_a, worker_b = QueueProgress(events), QueueProgress(events)
    worker_a.report_start("a", 2)
    worker_b.report_start("b", 1)
    worker_a.cell_start("a", 0, 2)
    worker_a.cell_done("a", 0, 2)
    while not events.empty():
        forward(events.get(), shown)
    assert set(shown._bars) == {"a", "b"}
    assert {bar.pos for bar in shown._bars.values()} in ({0, 1}, {0, -1})  # two lines, not one overwritten
    shown.report_done("b", True, 1.0)
    shown.report_done("a", True, 2.0)
    assert "[a] built in 2.0s" in tty.getvalue() and "[b] built in 1.0s" in tty.getvalue()


def test_hundreds_of_reports_get_one_counted_line_each_and_the_failures_again_at_the_end():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    stream = Tty()
    progress = for_stream(stream, total=MANY_REPORTS + 1)
    assert isinstance(progress, CountingProgress)  # no bar per report, even in a terminal
    for i in range(MANY_REPORTS + 1):
        progress.report_start(f"district__{i}", 0)
        progress.cell_start(f"district__{i}", 0, 5)
        progress.cell_done(f"district__{i}", 0, 5)
    for i in range(MANY_REPORTS + 1):
        progress.report_done(f"district__{i}", i != 3, 2.0, "" if i != 3 else "district.ipynb cell 4: ValueError")
    progress.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == MANY_REPORTS + 2 and "\r" not in stream.getvalue()
    assert lines[0] == f"[1/{MANY_REPORTS + 1}] district__0 built in 2.0s"
    assert lines[3] == f"[4/{MANY_REPORTS + 1}] district__3 FAILED in 2.0s: district.ipynb cell 4: ValueError"
    assert lines[-1] == f"1 of {MANY_REPORTS + 1} reports failed (the others were built): district__3"
