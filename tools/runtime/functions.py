"""Runs deployed functions from the lambda_src folder in worker processes.

- A small pool of workers per function (``python -m tools.runtime.worker``),
  spawned on first use, each serving one invocation at a time.
- Each worker gets what Lambda gives a function: the deployed environment
  variables, the reserved ``AWS_LAMBDA_*`` / ``_HANDLER`` / region variables,
  fake keys, and the endpoints of the emulator (``AWS_ENDPOINT_URL``) and of
  the services the runtime itself serves (``AWS_ENDPOINT_URL_<SERVICE>``).
- The deployed timeout is enforced: a worker that has not answered by then is
  killed and the invocation fails with Lambda's "Task timed out" error; the
  next invocation gets a fresh worker.
- Hot reload: before each invocation the code folder's newest modification
  time is compared with the one the workers started from; idle workers of an
  older code (or of an older deployed configuration) are replaced, so an edit
  takes effect on the next invocation.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.runtime import log
from tools.runtime.config import REGION, Function
from tools.tfenv import ROOT

INIT_TIMEOUT_SECONDS = 30.0
STREAM_LIMIT_BYTES = 64 * 1024 * 1024

# Services whose calls a function makes to the runtime instead of the emulator.
SERVED_SERVICES = {
    "COGNITO_IDENTITY_PROVIDER": "cognito-idp",
    "SES": "ses",
    "SESV2": "sesv2",
    "LAMBDA": "lambda",
}


def facade_path(service: str) -> str:
    return f"/_local/aws/{service}"


@dataclass(frozen=True)
class Outcome:
    """How one invocation ended."""

    ok: bool
    result: Any = None
    error_type: str = ""
    error_message: str = ""
    duration_ms: float = 0.0
    request_id: str = ""

    @property
    def error_payload(self) -> dict[str, Any]:
        """The error as Lambda reports it to callers."""
        return {"errorType": self.error_type, "errorMessage": self.error_message}


def source_version(root: Path) -> tuple[int, int]:
    """(newest modification time in ns, number of entries) of the code folder; changes on any edit."""
    newest, count = 0, 0
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__" and not d.startswith(".")]
        for name in (*files, "."):
            try:
                newest = max(newest, os.stat(os.path.join(folder, name)).st_mtime_ns)
            except FileNotFoundError:  # deleted while walking: the next check sees it
                continue
            count += 1
    return newest, count


def lambda_environment(function: Function, emulator: str, gateway: str, source: Path) -> dict[str, str]:
    """The environment of a worker: served endpoints, then the deployed variables, then Lambda's reserved ones."""
    environ = {
        "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "AWS_ENDPOINT_URL": emulator,
        **{f"AWS_ENDPOINT_URL_{name}": gateway + facade_path(service) for name, service in SERVED_SERVICES.items()},
    }
    environ.update(function.environment)
    environ.update(
        {
            "AWS_LAMBDA_FUNCTION_NAME": function.name,
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
            "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.name}",
            "AWS_LAMBDA_LOG_STREAM_NAME": f"local/[$LATEST]{uuid.uuid4().hex}",
            "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": "test",
            "AWS_SECRET_ACCESS_KEY": "test",
            "AWS_EC2_METADATA_DISABLED": "true",
            "TZ": ":UTC",
            "LAMBDA_TASK_ROOT": str(source),
            "_HANDLER": function.handler,
        }
    )
    return environ


class WorkerGone(Exception):
    """The worker process ended before answering."""


class InitFailed(Exception):
    """A new worker did not get ready (import of the handler module) in time."""


@dataclass(eq=False)
class Worker:
    function: str
    generation: str
    process: asyncio.subprocess.Process
    drain: asyncio.Task[None] | None = None

    async def _answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = await self.process.stdout.readline()
        if not line:
            raise WorkerGone(f"worker exited with code {await self.process.wait()}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    async def ready(self) -> None:
        """Wait for the worker's first line, written once the handler module is imported."""
        await self._answer()

    async def call(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request).encode() + b"\n")
        await self.process.stdin.drain()
        return await self._answer()

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()


@dataclass
class Pool:
    """The workers of one function."""

    size: int
    idle: list[Worker] = field(default_factory=list)
    count: int = 0
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)


class Runner:
    """Invokes functions by name with the deployed configuration it is given."""

    def __init__(self, source: Path, emulator: str, gateway: str, pool_size: int = 4) -> None:
        self.source = source
        self.emulator = emulator
        self.gateway = gateway
        self.pool_size = pool_size
        self._pools: dict[str, Pool] = {}
        self._busy: set[Worker] = set()

    def _generation(self, function: Function) -> str:
        key = json.dumps(
            [function.handler, function.memory_mb, dict(function.environment), source_version(self.source)]
        )
        return hashlib.sha256(key.encode()).hexdigest()

    async def _spawn(self, function: Function, generation: str) -> Worker:
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "tools.runtime.worker",
                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                env=lambda_environment(function, self.emulator, self.gateway, self.source), cwd=ROOT,
                limit=STREAM_LIMIT_BYTES,
            )  # fmt: skip
        except OSError as error:
            raise InitFailed(f"cannot start a worker: {error}") from None
        worker = Worker(function.name, generation, process)
        worker.drain = asyncio.create_task(self._copy_output(worker))
        try:
            # Lambda's init phase: importing the handler does not count against the function's timeout.
            await asyncio.wait_for(worker.ready(), INIT_TIMEOUT_SECONDS)
        except (TimeoutError, WorkerGone, ValueError) as exc:
            worker.kill()
            raise InitFailed(str(exc) or f"not ready within {INIT_TIMEOUT_SECONDS:.0f}s") from None
        return worker

    @staticmethod
    async def _copy_output(worker: Worker) -> None:
        assert worker.process.stderr is not None
        async for raw in worker.process.stderr:
            log.output(worker.function, raw.decode(errors="replace").rstrip())

    async def _acquire(self, function: Function) -> Worker:
        pool = self._pools.setdefault(function.name, Pool(self.pool_size))
        generation = self._generation(function)
        async with pool.changed:
            while True:
                for stale in [w for w in pool.idle if w.generation != generation]:
                    pool.idle.remove(stale)
                    pool.count -= 1
                    stale.kill()
                if pool.idle:
                    return pool.idle.pop()
                if pool.count < pool.size:
                    pool.count += 1
                    break
                await pool.changed.wait()
        try:
            return await self._spawn(function, generation)
        except BaseException:
            await self._forget(function.name)
            raise

    async def _forget(self, name: str) -> None:
        pool = self._pools[name]
        async with pool.changed:
            pool.count -= 1
            pool.changed.notify()

    async def _release(self, worker: Worker, healthy: bool) -> None:
        pool = self._pools[worker.function]
        async with pool.changed:
            if healthy and worker.process.returncode is None:
                pool.idle.append(worker)
            else:
                worker.kill()
                pool.count -= 1
            pool.changed.notify()

    async def invoke(self, function: Function, event: Any) -> Outcome:
        """Run ``function`` on ``event`` and say how it ended; never raises for the function's faults."""
        request_id = str(uuid.uuid4())
        started = time.monotonic()
        try:
            worker = await self._acquire(function)
        except InitFailed as exc:
            return Outcome(
                ok=False, error_type="Runtime.InitError", error_message=f"the function did not start: {exc}",
                duration_ms=(time.monotonic() - started) * 1000, request_id=request_id,
            )  # fmt: skip
        self._busy.add(worker)
        started = time.monotonic()
        request = {
            "event": event,
            "request_id": request_id,
            "function_arn": function.arn,
            "deadline_ms": int(time.time() * 1000) + function.timeout_seconds * 1000,
        }
        healthy = False
        try:
            answer = await asyncio.wait_for(worker.call(request), function.timeout_seconds)
            healthy = True
        except TimeoutError:
            return Outcome(
                ok=False, error_type="Sandbox.Timedout",
                error_message=f"Task timed out after {function.timeout_seconds:.2f} seconds",
                duration_ms=(time.monotonic() - started) * 1000, request_id=request_id,
            )  # fmt: skip
        except (WorkerGone, OSError, ValueError) as exc:
            return Outcome(
                ok=False, error_type="Runtime.ExitError", error_message=f"the function's process ended: {exc}",
                duration_ms=(time.monotonic() - started) * 1000, request_id=request_id,
            )  # fmt: skip
        finally:
            self._busy.discard(worker)
            await self._release(worker, healthy)
        duration = (time.monotonic() - started) * 1000
        if answer.get("ok"):
            return Outcome(ok=True, result=answer.get("result"), duration_ms=duration, request_id=request_id)
        for line in answer.get("stackTrace") or ():
            log.output(function.name, str(line).rstrip())
        return Outcome(
            ok=False,
            error_type=str(answer.get("errorType", "Error")),
            error_message=str(answer.get("errorMessage", "")),
            duration_ms=duration,
            request_id=request_id,
        )

    async def close(self) -> None:
        """Stop every worker."""
        workers = [w for pool in self._pools.values() for w in pool.idle] + list(self._busy)
        for worker in workers:
            worker.kill()
        for worker in workers:
            with contextlib.suppress(ProcessLookupError):
                await worker.process.wait()
            if worker.drain:
                worker.drain.cancel()
        self._pools.clear()
