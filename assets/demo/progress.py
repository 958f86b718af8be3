"""A rich progress display of a demo-data load: one line per table with rows loaded and rows/s."""

from __future__ import annotations

from rich.console import Console
from rich.progress import Progress, ProgressColumn, SpinnerColumn, Task, TextColumn, TimeElapsedColumn
from rich.text import Text


class RowsPerSecond(ProgressColumn):
    """Average rate since the table started (steadier than rich's windowed speed for bursty COPY)."""

    def render(self, task: Task) -> Text:
        elapsed = task.finished_time if task.finished else task.elapsed
        if not elapsed:
            return Text("", style="progress.data.speed")
        return Text(f"{task.completed / elapsed:>10,.0f} rows/s", style="progress.data.speed")


class RichProgress:
    """Implements `assets.demo.loader.Progress`."""

    def __init__(self, console: Console | None = None) -> None:
        self._progress = Progress(
            SpinnerColumn(finished_text="[green]✓"),
            TextColumn("{task.description:<28}"),
            TextColumn("{task.completed:>11,.0f} rows"),
            RowsPerSecond(),
            TimeElapsedColumn(),
            console=console,
        )
        self._tasks: dict[str, int] = {}

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def start(self, table: str) -> None:
        self._tasks[table] = self._progress.add_task(table.removeprefix("public."), total=None)

    def advance(self, table: str, rows: int) -> None:
        self._progress.advance(self._tasks[table], rows)

    def finish(self, table: str) -> None:
        task = self._tasks[table]
        done = self._progress.tasks[task].completed
        self._progress.update(task, total=max(done, 1), completed=done)
        self._progress.stop_task(task)
