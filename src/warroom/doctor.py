"""``warroom doctor``: show how the domains are joined, without a database.

Following an alert to its page means knowing which listeners each hook fires
and in which order; ``warroom doctor hooks`` prints it from the running code,
and ``--markdown`` writes the same table as ``docs/hooks.md`` (a test keeps
that file equal to the output).
"""

from __future__ import annotations

import typer

from warroom import hooks, registry

doctor_app = typer.Typer(help="Show how warroom's domains are joined together.",
                         no_args_is_help=True)


@doctor_app.command("hooks")
def show_hooks(markdown: bool = typer.Option(
        False, "--markdown", help="Print the table as Markdown (docs/hooks.md).")) -> None:
    """Every hook with its signature and the listeners it fires, in order."""
    typer.echo(render(markdown=markdown), nl=False)


def render(*, markdown: bool = False) -> str:
    """The hook table once every domain is connected (registry order)."""
    registry.connect_all()
    return hooks.markdown() if markdown else _text()


def _text() -> str:
    lines = []
    for name, signature, listeners in hooks.table():
        lines.append(f"{name} {signature}")
        lines.extend(f"  {n}. {listener}" for n, listener in enumerate(listeners, 1))
        if not listeners:
            lines.append("  (no listeners)")
    return "\n".join(lines) + "\n"
