"""Bad input on the command line ends in one line on stderr and exit code 2, never a traceback.

:func:`fail` is how a command refuses input; :func:`load_or_fail` and :func:`out_or_fail` refuse
the scenario, seed and output folder the simulating commands take. :class:`OneLineErrors` makes
typer's own usage errors (a value out of range, a missing argument, an unknown option) one line
as well, instead of click's usage text and rich's boxed panel. Messages are printed as plain
text: a message quoting ``^[a-z]{3}$`` or ``[::1]`` must reach the user whole, not be read as
rich markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

try:  # typer >= 0.26 ships its own copy of click, whose exceptions parsing raises
    from typer._click.exceptions import (
        BadParameter,
        ClickException,
        MissingParameter,
        NoArgsIsHelpError,
    )
except ImportError:  # an older typer, over click itself
    from click.exceptions import (  # type: ignore[no-redef]
        BadParameter,
        ClickException,
        MissingParameter,
        NoArgsIsHelpError,
    )

if TYPE_CHECKING:
    from agent_checkout.sim.scenario import Scenario

#: The ``--set`` option of the commands that load a scenario.
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        help="PATH=VALUE: change a scenario field before it is checked (dotted path, YAML "
        "value, e.g. --set arrivals.sessions=50); repeatable.",
    ),
]

errors = Console(stderr=True, highlight=False, soft_wrap=True)

#: Exit code of every refused input.
BAD_INPUT = 2


def say_error(message: str) -> None:
    """Print ``error: message`` on stderr as one line, the message taken literally."""
    one_line = " ".join(message.split())
    errors.print(Text.assemble(("error:", "bold red"), " ", one_line))


def fail(message: str, code: int = BAD_INPUT) -> typer.Exit:
    """Print the error line and return the exit to raise: ``raise fail("--out: ...")``."""
    say_error(message)
    return typer.Exit(code)


def load_or_fail(
    scenario: str, seed: int | None, settings: Sequence[str] | None = None
) -> tuple[Scenario, int]:
    """The scenario with its ``--set path=value`` ``settings`` applied, and the run's seed
    (``seed``, or the scenario's), or one line naming what is wrong with either."""
    from agent_checkout.sim.run import check_seed, presale_problem
    from agent_checkout.sim.scenario import ScenarioError, load_scenario
    from agent_checkout.sim.scenario_policy import policy_problem
    from agent_checkout.sim.scenario_source import SourceError, parse_overrides

    try:
        loaded = load_scenario(scenario, parse_overrides(settings or []))
    except (ScenarioError, SourceError) as problem:
        raise fail(str(problem)) from None
    try:
        check_seed(loaded.seed if seed is None else seed)
    except ValueError as problem:
        raise fail(f"{scenario}: {problem}" if seed is None else f"--seed: {problem}") from None
    seed = loaded.seed if seed is None else seed
    problem = presale_problem(loaded, seed)  # prices of generated catalogs follow the seed
    if problem is not None:
        raise fail(f"{scenario}: {problem}")
    problem = policy_problem(loaded)  # a chat model that cannot be built here
    if problem is not None:
        raise fail(f"{scenario}: {problem}")
    return loaded, seed


def out_or_fail(out: Path, flag: str = "--out") -> Path:
    """``out`` if a run may write there: an existing folder, or a new one in an existing one."""
    from agent_checkout.sim.run_dir import out_dir_problem

    problem = out_dir_problem(out)
    if problem is not None:
        raise fail(f"{flag} {out}: {problem}")
    return out


def usage_line(problem: ClickException) -> str:
    """A click error as ``--flag: what is wrong``, naming the parameter when there is one."""
    if isinstance(problem, BadParameter) and not isinstance(problem, MissingParameter):
        hint = problem.param_hint
        if hint is None and problem.param is not None:
            hint = problem.param.get_error_hint()
        if hint is not None:
            if not isinstance(hint, str):
                hint = " / ".join(hint)
            # typer checks values with pydantic, whose messages may start "Value error, "
            message = problem.message.removeprefix("Value error, ")
            return f"{hint.replace(chr(39), '')}: {message}"
    return problem.format_message()


class OneLineErrors(TyperGroup):
    """A typer group whose usage errors, and those of every command under it, are one line."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except ClickException as problem:
            raise self._one_line(problem) from None

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ClickException as problem:
            raise self._one_line(problem) from None

    @staticmethod
    def _one_line(problem: ClickException) -> BaseException:
        if isinstance(problem, NoArgsIsHelpError):
            return problem  # the help text was asked for, in effect: typer prints it
        return fail(usage_line(problem), problem.exit_code)
