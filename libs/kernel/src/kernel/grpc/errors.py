"""Turning ``kernel.errors`` into gRPC statuses with rich details (``google.rpc.Status``).

Servicers and application code raise the kernel's errors and never touch status codes; the
``ErrorInterceptor`` maps each to one code:

=======================  ===================  ==================================================
error                    code                 details
=======================  ===================  ==================================================
ValidationFailed         INVALID_ARGUMENT     ``google.rpc.BadRequest`` with the field violations
NotFound                 NOT_FOUND
AlreadyExists            ALREADY_EXISTS
RuleViolated             FAILED_PRECONDITION  ``google.rpc.ErrorInfo(reason=...)``
ConcurrencyError         ABORTED              ``ErrorInfo(reason="CONCURRENCY_CONFLICT")``
EventIdConflict          ALREADY_EXISTS       ``ErrorInfo(reason="EVENT_ID_CONFLICT")``
Unauthenticated          UNAUTHENTICATED
PermissionDenied         PERMISSION_DENIED
NotImplementedError      UNIMPLEMENTED        (what generated servicer base methods raise)
anything else            INTERNAL             none: logged here, never shown to the caller
=======================  ===================  ==================================================

``EventIdConflict`` is ``ALREADY_EXISTS`` rather than ``ABORTED``: two different appends sharing
event ids is a caller bug that retrying can never fix, while ``ABORTED`` tells clients to retry.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import NoReturn

from google.protobuf.message import Message
from google.rpc import code_pb2, error_details_pb2, status_pb2
from grpc import aio
from grpc_status import rpc_status
from typing_extensions import override

from kernel import errors
from kernel.errors import FieldViolation
from kernel.grpc._wrapping import (
    Behaviour,
    BehaviourInterceptor,
    Context,
    StreamBehaviour,
    UnaryBehaviour,
    call_unary,
)

logger = logging.getLogger(__name__)

#: ``google.rpc.ErrorInfo.domain`` of every error the platform reports.
ERROR_DOMAIN = "clwstwr"
_DETAILS_KEY = "grpc-status-details-bin"

_SIMPLE_CODES: list[tuple[type[Exception], int]] = [
    (errors.NotFound, code_pb2.NOT_FOUND),
    (errors.AlreadyExists, code_pb2.ALREADY_EXISTS),
    (errors.Unauthenticated, code_pb2.UNAUTHENTICATED),
    (errors.PermissionDenied, code_pb2.PERMISSION_DENIED),
    (NotImplementedError, code_pb2.UNIMPLEMENTED),
]


def to_rpc_status(error: BaseException) -> status_pb2.Status:
    """The ``google.rpc.Status`` a caller sees for ``error``."""
    if isinstance(error, errors.ValidationFailed):
        bad_request = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(
                    field=v.field, description=v.description
                )
                for v in error.violations
            ]
        )
        return _status(code_pb2.INVALID_ARGUMENT, str(error), bad_request)
    if isinstance(error, errors.RuleViolated):
        return _status(code_pb2.FAILED_PRECONDITION, str(error), _info(error.reason))
    if isinstance(error, errors.ConcurrencyError):
        info = _info(
            "CONCURRENCY_CONFLICT",
            stream_id=error.stream_id,
            expected_version=str(error.expected),
            actual_version=str(error.actual),
        )
        return _status(code_pb2.ABORTED, str(error), info)
    if isinstance(error, errors.EventIdConflict):
        return _status(code_pb2.ALREADY_EXISTS, str(error), _info("EVENT_ID_CONFLICT"))
    for error_type, code in _SIMPLE_CODES:
        if isinstance(error, error_type):
            return _status(code, str(error) or code_pb2.Code.Name(code).lower().replace("_", " "))
    return _status(code_pb2.INTERNAL, "internal error")


def _status(code: int, message: str, *details: Message) -> status_pb2.Status:
    status = status_pb2.Status(code=code, message=message)
    for detail in details:
        status.details.add().Pack(detail)
    return status


def _info(reason: str, **metadata: str) -> error_details_pb2.ErrorInfo:
    return error_details_pb2.ErrorInfo(reason=reason, domain=ERROR_DOMAIN, metadata=metadata)


async def abort_with(context: Context, error: BaseException) -> NoReturn:
    """End the call with the status for ``error`` (raises ``grpc.aio.AbortError``)."""
    status = rpc_status.to_status(to_rpc_status(error))
    await context.abort(status.code, status.details, status.trailing_metadata)


def rich_status(error: aio.AioRpcError) -> status_pb2.Status | None:
    """The ``google.rpc.Status`` a failed call carried, if the server sent one (client side)."""
    for key, value in error.trailing_metadata() or ():
        if key == _DETAILS_KEY and isinstance(value, bytes):
            return status_pb2.Status.FromString(value)
    return None


def field_violations(error: aio.AioRpcError) -> list[FieldViolation]:
    """The ``google.rpc.BadRequest`` field violations of a failed call (client side)."""
    status = rich_status(error)
    found: list[FieldViolation] = []
    for detail in status.details if status is not None else ():
        bad_request = error_details_pb2.BadRequest()
        if detail.Unpack(bad_request):
            violations = bad_request.field_violations
            found.extend(FieldViolation(v.field, v.description) for v in violations)
    return found


def error_reason(error: aio.AioRpcError) -> str | None:
    """The ``google.rpc.ErrorInfo`` reason of a failed call, e.g. ``MEETING_ALREADY_HELD``."""
    status = rich_status(error)
    for detail in status.details if status is not None else ():
        info = error_details_pb2.ErrorInfo()
        if detail.Unpack(info):
            return info.reason
    return None


def _report(error: Exception, method: str) -> None:
    if isinstance(error, errors.ClwstwrError | NotImplementedError):
        logger.info("%s refused: %s: %s", method, type(error).__name__, error)
    else:
        # The caller sees only "internal error"; the traceback is for us.
        logger.exception("%s failed unexpectedly", method)


class ErrorInterceptor(BehaviourInterceptor):
    """Maps exceptions escaping a servicer to gRPC statuses (see the module docstring)."""

    @override
    def wrap_unary(self, behaviour: Behaviour, method: str) -> UnaryBehaviour:
        async def mapped(request: object, context: Context) -> object:
            try:
                return await call_unary(behaviour, request, context)
            except aio.AbortError:
                raise  # the servicer (or an inner interceptor) chose the status itself
            except Exception as error:  # noqa: BLE001 - every error must become a status
                _report(error, method)
                await abort_with(context, error)

        return mapped

    @override
    def wrap_stream(self, behaviour: Behaviour, method: str) -> StreamBehaviour:
        async def mapped(request: object, context: Context) -> AsyncIterator[object]:
            try:
                async for response in behaviour(request, context):
                    yield response
            except aio.AbortError:
                raise
            except Exception as error:  # noqa: BLE001 - every error must become a status
                _report(error, method)
                await abort_with(context, error)

        return mapped
