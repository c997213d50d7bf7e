"""The replay tool's progress without tqdm: a plain line that still says how far and how fast."""

from __future__ import annotations

import io

from backend.progress import LineProgress, NoProgress, progress_bar


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_file_gets_whole_lines_no_more_often_than_asked() -> None:
    out, clock = io.StringIO(), Clock()
    bar = LineProgress(1000, stream=out, every_s=5.0, clock=clock)
    bar.update(100)  # the first update is shown at once
    clock.now += 1.0
    bar.update(100)  # too soon: not shown
    clock.now += 4.0
    bar.update(300)
    bar.close()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("100/1000 cmd")
    assert lines[1] == "500/1000 cmd   50.0 %  100.0 cmd/s  5 s left"
    assert lines[-1].startswith("500/1000 cmd")
    assert len(lines) == 3
    assert "\r" not in out.getvalue()


def test_a_terminal_gets_one_line_redrawn_in_place() -> None:
    out, clock = Tty(), Clock()
    bar = LineProgress(10, stream=out, clock=clock)
    for _ in range(10):
        clock.now += 0.5
        bar.update(1)
    bar.close()
    text = out.getvalue()
    assert text.count("\r") == 11 and text.endswith("\n")
    assert text.splitlines()[-1].split("\r")[-1] == "10/10 cmd  100.0 %  2.0 cmd/s  0 s left"


def test_the_last_command_is_always_shown() -> None:
    out, clock = io.StringIO(), Clock()
    bar = LineProgress(3, stream=out, every_s=60.0, clock=clock)
    bar.update(1)
    bar.update(2)
    assert out.getvalue().splitlines()[-1].startswith("3/3 cmd  100.0 %")


def test_disabled_progress_counts_but_prints_nothing(capsys) -> None:
    bar = progress_bar(5, enabled=False)
    assert isinstance(bar, NoProgress)
    bar.update(3)
    bar.close()
    assert bar.n == 3
    assert capsys.readouterr() == ("", "")
