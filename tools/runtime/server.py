"""The runtime's one aiohttp server on 127.0.0.1 and its background tasks.

Paths, in order:

- ``/_local/health``             GET: status, URLs and what is served
- ``/_local/mail``               GET: mail sent through SES, newest first (``?to=``)
- ``/_local/schedules/{name}``   POST: fire a schedule now (``?group=`` when names repeat)
- ``/_local/reload``             POST: read the deployed stack again now
- ``/_local/aws/{service}/...``  the AWS APIs the runtime serves to functions
  (cognito-idp, ses, sesv2, lambda); other calls of theirs go on to the emulator
- ``/<stage>`` with an Upgrade header, and ``/<stage>/@connections/{id}``: the WebSocket API
- anything else: the HTTP API

With a ``site_port``, a second listener serves the web client's site from the
site bucket as CloudFront would (tools/runtime/site.py).

Background: the configuration is read again every ``reload_seconds`` and on
``POST /_local/reload`` (`make up` calls it after an apply); queue pollers
follow it; the scheduler ticks every second.
"""

from __future__ import annotations

import asyncio
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web
from botocore.exceptions import BotoCoreError, ClientError

from tools.runtime import log
from tools.runtime.cognito import Cognito
from tools.runtime.functions import Runner
from tools.runtime.http_gateway import MAX_BODY_BYTES, HttpGateway, compact, message
from tools.runtime.lambda_service import LambdaService
from tools.runtime.mailbox import Mailbox
from tools.runtime.queues import QueuePollers
from tools.runtime.scheduler import Scheduler
from tools.runtime.site import SiteServer
from tools.runtime.stack import Stack
from tools.runtime.websocket_gateway import WebSocketGateway

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Settings:
    emulator: str
    port: int
    source: Path
    pool_size: int = 4
    reload_seconds: float = 10.0
    queue_retry_seconds: int | None = None
    site_port: int | None = None

    @property
    def gateway(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def site_url(self) -> str | None:
        return None if self.site_port is None else f"http://{HOST}:{self.site_port}/"


def local_error(status: int, code: str, text: str) -> web.Response:
    return web.json_response({"error": code, "message": text}, status=status, dumps=compact)


class Runtime:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        runner = Runner(settings.source, settings.emulator, settings.gateway, settings.pool_size)
        self.stack = Stack(settings.emulator, settings.gateway, runner)
        site = () if settings.site_url is None else (settings.site_url.rstrip("/"),)
        self.http = HttpGateway(self.stack, site)
        self.websocket = WebSocketGateway(self.stack)
        self.mailbox = Mailbox(self.stack)
        self.cognito = Cognito(self.stack)
        self.lambda_service = LambdaService(self.stack)
        self.queues = QueuePollers(self.stack, settings.queue_retry_seconds)
        self.scheduler = Scheduler(self.stack)
        self.loaded_at = 0.0
        self._tasks: list[asyncio.Task[None]] = []

    # -- requests -------------------------------------------------------------------------------

    async def dispatch(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        try:
            if path.startswith("/_local/"):
                return await self._local(request, path)
            stage = self.websocket.stage_path()
            if stage and path.startswith(f"{stage}/@connections/"):
                return await self.websocket.manage(
                    request, request.raw_path.split("/@connections/", 1)[1].split("?")[0]
                )
            if stage and path == stage and request.headers.get("Upgrade", "").lower() == "websocket":
                return await self.websocket.handle_upgrade(request)
            return await self.http.handle(request)
        except (BotoCoreError, ClientError, OSError) as error:
            log.warning(f"{request.method} {path}: the emulator did not answer: {error}")
            return message(503, "Service Unavailable")
        except Exception:  # noqa: BLE001 - outermost guard: a fault of the runtime never takes the server down
            log.logger.exception("%s %s failed in the runtime", request.method, path)
            return message(500, "Internal Server Error")

    async def _local(self, request: web.Request, path: str) -> web.StreamResponse:
        parts = path.split("/")[2:]  # after "/_local"
        if parts[0] == "aws" and len(parts) >= 2:
            service = parts[1]
            rest = request.raw_path.split(f"/_local/aws/{service}", 1)[1].split("?")[0] or "/"
            handlers = {
                "cognito-idp": self.cognito.handle,
                "ses": self.mailbox.ses,
                "sesv2": self.mailbox.sesv2,
                "lambda": self.lambda_service.handle,
            }
            if service in handlers:
                return await handlers[service](request, rest)
        elif parts == ["health"] and request.method == "GET":
            return web.json_response(self.health(), dumps=compact)
        elif parts == ["mail"] and request.method == "GET":
            return web.json_response(self.mailbox.listing(request.query.get("to")), dumps=compact)
        elif parts == ["reload"] and request.method == "POST":
            return web.json_response(
                {"changed": await self.reload(), "config": self.stack.config.summary()}, dumps=compact
            )
        elif len(parts) == 2 and parts[0] == "schedules" and request.method == "POST":
            found = self.scheduler.find(parts[1], request.query.get("group"))
            if not found:
                return local_error(404, "schedule_not_found", f"no schedule named {parts[1]}")
            if len(found) > 1:
                return local_error(409, "ambiguous_schedule", f"{parts[1]} is in several groups: add ?group=")
            execution = self.scheduler.fire(found[0])
            return web.json_response(
                {"schedule": found[0].name, "group": found[0].group, "execution_id": execution},
                status=202,
                dumps=compact,
            )
        return local_error(404, "not_found", f"no local endpoint {request.method} {path}")

    def health(self) -> dict[str, object]:
        ws = self.stack.config.websocket
        return {
            "status": "ok",
            "http_api_url": f"{self.settings.gateway}/",
            "websocket_url": f"ws://{HOST}:{self.settings.port}/{ws.stage}" if ws else None,
            "site_url": self.settings.site_url,
            "emulator": self.settings.emulator,
            "source": str(self.settings.source),
            "config": self.stack.config.summary(),
            "loaded_seconds_ago": round(time.monotonic() - self.loaded_at, 1),
        }

    # -- configuration --------------------------------------------------------------------------

    async def reload(self) -> bool:
        changed = await self.stack.reload()
        self.loaded_at = time.monotonic()
        if changed:
            config = self.stack.config
            log.info(f"stack read: {config.summary()}")
            for warning in config.warnings:
                log.warning(warning)
            queues = {m.queue_arn: m.function for m in config.mappings}
            for subscription in config.subscriptions:
                if subscription.protocol == "sqs" and subscription.endpoint in queues:
                    log.info(
                        f"topic {subscription.topic_arn.rsplit(':', 1)[-1]} -> queue "
                        f"{subscription.endpoint.rsplit(':', 1)[-1]} -> {queues[subscription.endpoint]}"
                    )
                elif subscription.protocol not in {"sqs", "email", "email-json"}:
                    log.warning(
                        f"{subscription.protocol} subscription of {subscription.topic_arn} is not delivered locally"
                    )
            self.queues.sync()
        return changed

    async def _reload_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.reload_seconds)
            try:
                await self.reload()
            except (BotoCoreError, ClientError) as error:
                log.warning(f"could not read the stack from the emulator (keeping the last one): {error}")
            except Exception:  # noqa: BLE001 - the loop must go on: the last configuration keeps being served
                log.logger.exception("reading the stack failed (keeping the last one)")

    # -- lifecycle ------------------------------------------------------------------------------

    def application(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_route("*", "/{tail:.*}", self.dispatch)
        return app

    async def serve(self, ready: asyncio.Event | None = None) -> None:
        """Read the stack, listen, run until SIGTERM or SIGINT."""
        loop = asyncio.get_running_loop()
        loop.set_default_executor(ThreadPoolExecutor(max_workers=32, thread_name_prefix="aws"))
        await self.reload()
        runner = web.AppRunner(self.application(), access_log=None, handle_signals=False)
        await runner.setup()
        site_runner: web.AppRunner | None = None
        try:
            await web.TCPSite(runner, HOST, self.settings.port).start()
            if self.settings.site_port is not None:
                origins = [self.settings.gateway, f"ws://{HOST}:{self.settings.port}", self.settings.emulator]
                site_runner = web.AppRunner(
                    SiteServer(self.settings.emulator, origins).application(), access_log=None, handle_signals=False
                )
                await site_runner.setup()
                await web.TCPSite(site_runner, HOST, self.settings.site_port).start()
        except OSError:
            if site_runner is not None:
                await site_runner.cleanup()
            if site_runner is not None:
                await site_runner.cleanup()
            await runner.cleanup()
            await self.stack.close()
            raise
        stop = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        self._tasks += [asyncio.create_task(self._reload_loop()), asyncio.create_task(self.scheduler.loop())]
        health = self.health()
        log.info(f"serving the HTTP API at {health['http_api_url']} and the WebSocket API at {health['websocket_url']}")
        if health["site_url"]:
            log.info(f"serving the web client at {health['site_url']}")
        if ready is not None:
            ready.set()
        try:
            await stop.wait()
        finally:
            log.info("stopping")
            for task in self._tasks:
                task.cancel()
            await self.websocket.close()
            await self.queues.close()
            await self.scheduler.close()
            if site_runner is not None:
                await site_runner.cleanup()
            await runner.cleanup()
            await self.stack.close()
