"""`golive promises`: print the promise matrix, or write it to docs/promises.md."""

from __future__ import annotations

from pathlib import Path

import typer

from golive.promises.matrix import DOC, build, to_markdown


def promises_command(
    write: bool = typer.Option(
        False, "--write", help=f"Write the matrix to {DOC} under the suite root (else print it)."
    ),
    suite_root: Path | None = typer.Option(
        None, "--suite-root", help="The suite folder (default: found as `golive run` finds it)."
    ),
) -> None:
    """The promise matrix: every promise of docs/platform-contract.yaml, the scenarios and
    properties that name it, and the faults the detection tests run them against.

    Example: `golive promises --write` (regenerates docs/promises.md)
    """
    from golive.run.suites import suite_root as find_root

    root = find_root(suite_root)
    text = to_markdown(build(root))
    if write:
        (root / DOC).write_text(text, encoding="utf-8")
        typer.echo(f"wrote {root / DOC}")
    else:
        typer.echo(text, nl=False)
