"""What every part of the runtime shares: the current configuration, the function runner and the emulator.

The configuration is replaced as a whole when a re-read finds the deployed
stack changed; parts read ``stack.config`` on every request, so a change
applies to the next one.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any

import aiohttp
import boto3
from botocore.config import Config

from tools.runtime.config import REGION, Reader, StackConfig
from tools.runtime.functions import Outcome, Runner

_CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 2}, connect_timeout=2, read_timeout=30, max_pool_connections=32
)


class Stack:
    def __init__(self, emulator: str, gateway: str, runner: Runner) -> None:
        self.emulator = emulator
        self.gateway = gateway
        self.runner = runner
        self.reader = Reader(emulator)
        self.config = StackConfig()
        self._session: aiohttp.ClientSession | None = None
        self._boto = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)

    @property
    def session(self) -> aiohttp.ClientSession:
        """An HTTP client for the emulator (JWKS, proxied AWS calls)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30), auto_decompress=False)
        return self._session

    @functools.cache  # noqa: B019 - one client per service for the life of the runtime
    def client(self, service: str) -> Any:
        return self._boto.client(service, endpoint_url=self.emulator, config=_CLIENT_CONFIG)

    async def aws(self, service: str, operation: str, **kwargs: Any) -> Any:
        """One boto3 call to the emulator, off the event loop."""
        method: Callable[..., Any] = getattr(self.client(service), operation)
        return await asyncio.to_thread(method, **kwargs)

    async def reload(self) -> bool:
        """Read the deployed stack again; True when it changed."""
        fresh = await asyncio.to_thread(self.reader.read)
        if fresh == self.config:
            return False
        self.config = fresh
        return True

    async def invoke(self, name: str | None, event: Any) -> Outcome:
        """Invoke a deployed function by name; a missing one fails as Lambda's ResourceNotFoundException."""
        function = self.config.functions.get(name or "")
        if function is None:
            return Outcome(
                ok=False, error_type="ResourceNotFoundException", error_message=f"Function not found: {name}"
            )
        return await self.runner.invoke(function, event)

    async def close(self) -> None:
        await self.runner.close()
        if self._session is not None:
            await self._session.close()
