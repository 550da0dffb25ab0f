"""``clwstwr-ops tokens``: issue, list and revoke the bearer tokens of health board systems."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from clwstwr_ops import console
from clwstwr_ops.errors import OpsError
from clwstwr_ops.operate.redis_access import with_redis
from kernel.grpc.auth import Principal, Role
from kernel.grpc.tokens import IssuedToken, IssuedTokens

app = typer.Typer(
    no_args_is_help=True, help="Bearer tokens issued at run time (digests kept in Redis)."
)


@app.command()
def issue(
    subject: Annotated[str, typer.Option(help="Who holds it, e.g. 'bcu-patient-admin'.")],
    role: Annotated[str, typer.Option(help="health_board, national, operator or service.")],
    scope: Annotated[
        str | None, typer.Option(help="A board's ODS code (7A1..7A7) or a service's name.")
    ] = None,
    label: Annotated[str, typer.Option(help="A note for the token list.")] = "",
) -> None:
    """Issue a token and print it (once: only its SHA-256 digest is kept)."""
    try:
        principal = Principal(subject, _role(role), scope)
    except ValueError as error:
        raise OpsError(str(error)) from error
    token, issued = asyncio.run(with_redis(lambda r: IssuedTokens(r).issue(principal, label)))
    console.ok(f"issued {issued.digest[:12]}… to {subject} ({role}{_scoped(scope)})")
    console.note("this is the only time the token is shown; every service accepts it within 2 s")
    typer.echo(token)


@app.command("list")
def list_tokens() -> None:
    """The issued tokens: digest, subject, role, scope, label, when issued."""
    for token in asyncio.run(with_redis(lambda r: IssuedTokens(r).list())):
        typer.echo(_row(token))


@app.command()
def revoke(
    token_or_digest: Annotated[str, typer.Argument(help="The token, or its digest from 'list'.")],
) -> None:
    """Revoke a token: every service refuses it within 2 s."""
    if not asyncio.run(with_redis(lambda r: IssuedTokens(r).revoke(token_or_digest))):
        raise OpsError("no issued token matches (see 'clwstwr-ops tokens list')")
    console.ok("revoked")


def _role(text: str) -> Role:
    roles: tuple[Role, ...] = ("health_board", "national", "operator", "service")
    for role in roles:
        if text == role:
            return role
    raise OpsError(f"role must be one of {', '.join(roles)}; not {text!r}")


def _scoped(scope: str | None) -> str:
    return f" {scope}" if scope else ""


def _row(token: IssuedToken) -> str:
    principal = token.principal
    return "\t".join(
        [
            token.digest,
            principal.subject,
            principal.role,
            principal.scope or "-",
            token.label or "-",
            token.issued_at.isoformat(timespec="seconds"),
        ]
    )
