"""The runtime's configuration: read from what Terraform deployed on the emulator, through boto3.

Nothing here is a second copy of the wiring: routes, integrations and
authorizers of both APIs, each function's handler, timeout and environment, the
user pools' triggers and clients, the event source mappings, the SNS
subscriptions and the Scheduler schedules are all read from the emulator.
A later read that differs (``StackConfig`` compares by value) replaces the
configuration the server uses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import boto3
from botocore.config import Config

REGION = "us-east-1"
_FUNCTION = re.compile(r":function:([A-Za-z0-9_-]+)")
_CLIENT_CONFIG = Config(retries={"mode": "standard", "max_attempts": 2}, connect_timeout=2, read_timeout=30)


def function_name(arn_or_uri: str | None) -> str | None:
    """The function named by a Lambda ARN or an API Gateway integration URI (qualifier dropped)."""
    found = _FUNCTION.search(arn_or_uri or "")
    return found.group(1) if found else None


@dataclass(frozen=True)
class Function:
    name: str
    arn: str
    handler: str
    timeout_seconds: int
    memory_mb: int
    environment: Mapping[str, str]


@dataclass(frozen=True)
class JwtAuthorizer:
    issuer: str
    audience: tuple[str, ...]
    header: str  # from the identity source $request.header.<name>, lower case


@dataclass(frozen=True)
class HttpRoute:
    key: str  # "GET /rooms/{id}", "ANY /{proxy+}" or "$default"
    method: str  # GET, ..., ANY, or "" for $default
    segments: tuple[str, ...]  # path split on "/", templates kept
    function: str | None  # None: the integration is not a Lambda function
    authorizer: JwtAuthorizer | None
    scopes: tuple[str, ...]

    @property
    def literal_segments(self) -> int:
        return sum(1 for s in self.segments if not s.startswith("{"))


@dataclass(frozen=True)
class Cors:
    allow_origins: tuple[str, ...]
    allow_headers: tuple[str, ...]
    allow_methods: tuple[str, ...]
    expose_headers: tuple[str, ...]
    allow_credentials: bool
    max_age_seconds: int | None


@dataclass(frozen=True)
class HttpApi:
    api_id: str
    routes: tuple[HttpRoute, ...]
    cors: Cors | None


@dataclass(frozen=True)
class RequestAuthorizer:
    function: str | None
    identity_sources: tuple[str, ...]  # e.g. route.request.querystring.token


@dataclass(frozen=True)
class WsRoute:
    key: str
    function: str | None
    two_way: bool  # a route response is configured: the integration's answer goes back to the client


@dataclass(frozen=True)
class WebSocketApi:
    api_id: str
    stage: str
    selection_expression: str
    routes: Mapping[str, WsRoute]
    connect_authorizer: RequestAuthorizer | None


@dataclass(frozen=True)
class PoolClient:
    client_id: str
    auth_flows: tuple[str, ...]
    session_minutes: int
    prevent_user_existence_errors: bool


@dataclass(frozen=True)
class UserPool:
    pool_id: str
    triggers: Mapping[str, str]  # LambdaConfig key -> function name
    clients: Mapping[str, PoolClient]


@dataclass(frozen=True)
class QueueMapping:
    uuid: str
    queue_arn: str
    queue_url: str
    function: str
    batch_size: int
    report_failures: bool


@dataclass(frozen=True)
class Subscription:
    topic_arn: str
    protocol: str
    endpoint: str


@dataclass(frozen=True)
class Schedule:
    name: str
    group: str
    arn: str
    expression: str
    timezone: str
    enabled: bool
    target_arn: str
    input: str | None
    maximum_retry_attempts: int
    maximum_event_age_seconds: int
    dead_letter_arn: str | None
    start: datetime | None
    end: datetime | None
    created: datetime


@dataclass(frozen=True)
class StackConfig:
    functions: Mapping[str, Function] = field(default_factory=dict)
    http: HttpApi | None = None
    websocket: WebSocketApi | None = None
    pools: Mapping[str, UserPool] = field(default_factory=dict)
    mappings: tuple[QueueMapping, ...] = ()
    subscriptions: tuple[Subscription, ...] = ()
    schedules: tuple[Schedule, ...] = ()
    warnings: tuple[str, ...] = ()

    def pool_of_client(self, client_id: str) -> tuple[UserPool, PoolClient] | None:
        for pool in self.pools.values():
            if client_id in pool.clients:
                return pool, pool.clients[client_id]
        return None

    def summary(self) -> str:
        routes = len(self.http.routes) if self.http else 0
        ws_routes = len(self.websocket.routes) if self.websocket else 0
        return (
            f"{len(self.functions)} functions, {routes} HTTP routes, {ws_routes} WebSocket routes, "
            f"{sum(len(p.triggers) for p in self.pools.values())} pool triggers, {len(self.mappings)} queue mappings, "
            f"{len(self.subscriptions)} subscriptions, {len(self.schedules)} schedules"
        )


def queue_url_of(endpoint: str, queue_arn: str) -> str:
    """The emulator's URL of a queue from its ARN (arn:aws:sqs:region:account:name)."""
    parts = queue_arn.split(":")
    return f"{endpoint}/{parts[4]}/{parts[5]}"


class Reader:
    """Reads the deployed wiring from the emulator at ``endpoint``."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        session = boto3.session.Session(aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION)
        self._clients = {
            service: session.client(service, endpoint_url=endpoint, config=_CLIENT_CONFIG)
            for service in ("apigatewayv2", "lambda", "cognito-idp", "scheduler", "sns")
        }

    def _client(self, service: str) -> Any:
        return self._clients[service]

    # -- full read -------------------------------------------------------------------------------

    def read(self) -> StackConfig:
        warnings: list[str] = []
        functions = {
            f["FunctionName"]: Function(
                name=f["FunctionName"],
                arn=f["FunctionArn"],
                handler=f.get("Handler", ""),
                timeout_seconds=int(f.get("Timeout", 3)),
                memory_mb=int(f.get("MemorySize", 128)),
                environment=dict((f.get("Environment") or {}).get("Variables") or {}),
            )
            for f in self._functions()
        }
        apis = self._client("apigatewayv2").get_apis()["Items"]
        http_apis = sorted((a for a in apis if a["ProtocolType"] == "HTTP"), key=lambda a: a["Name"])
        ws_apis = sorted((a for a in apis if a["ProtocolType"] == "WEBSOCKET"), key=lambda a: a["Name"])
        for kind, found in (("HTTP", http_apis), ("WebSocket", ws_apis)):
            if len(found) > 1:
                warnings.append(f"{len(found)} {kind} APIs deployed; serving {found[0]['Name']} only")
        mappings, mapping_warnings = self._mappings()
        return StackConfig(
            functions=functions,
            http=self._http_api(http_apis[0]) if http_apis else None,
            websocket=self._websocket_api(ws_apis[0]) if ws_apis else None,
            pools=self._pools(),
            mappings=mappings,
            subscriptions=self._subscriptions(),
            schedules=self._schedules(),
            warnings=tuple(warnings + mapping_warnings),
        )

    def _functions(self) -> Iterator[dict[str, Any]]:
        for page in self._client("lambda").get_paginator("list_functions").paginate():
            yield from page["Functions"]

    def _api_parts(self, api_id: str) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]], dict[str, Any]]:
        gw = self._client("apigatewayv2")
        routes = gw.get_routes(ApiId=api_id)["Items"]
        integrations = {i["IntegrationId"]: i for i in gw.get_integrations(ApiId=api_id)["Items"]}
        # GetAuthorizers (plural) is not implemented by the emulator: each route names its own.
        authorizers = {
            authorizer_id: gw.get_authorizer(ApiId=api_id, AuthorizerId=authorizer_id)
            for authorizer_id in sorted({r["AuthorizerId"] for r in routes if r.get("AuthorizerId")})
        }
        return routes, integrations, authorizers

    @staticmethod
    def _target_function(route: dict[str, Any], integrations: dict[str, dict[str, Any]]) -> str | None:
        integration = integrations.get(str(route.get("Target", "")).removeprefix("integrations/"))
        if not integration or integration.get("IntegrationType") != "AWS_PROXY":
            return None
        return function_name(integration.get("IntegrationUri"))

    def _http_api(self, api: dict[str, Any]) -> HttpApi:
        routes, integrations, authorizers = self._api_parts(api["ApiId"])
        parsed = []
        for route in routes:
            key = route["RouteKey"]
            method, _, path = key.partition(" ")
            authorizer = None
            if route.get("AuthorizationType") == "JWT" and route.get("AuthorizerId") in authorizers:
                found = authorizers[route["AuthorizerId"]]
                jwt = found.get("JwtConfiguration") or {}
                source = (found.get("IdentitySource") or ["$request.header.Authorization"])[0]
                authorizer = JwtAuthorizer(
                    issuer=str(jwt.get("Issuer", "")),
                    audience=tuple(jwt.get("Audience") or ()),
                    header=source.removeprefix("$request.header.").lower(),
                )
            parsed.append(
                HttpRoute(
                    key=key,
                    method="" if key == "$default" else method.upper(),
                    segments=tuple(path.strip("/").split("/")) if path.strip("/") else (),
                    function=self._target_function(route, integrations),
                    authorizer=authorizer,
                    scopes=tuple(route.get("AuthorizationScopes") or ()),
                )
            )
        cors = api.get("CorsConfiguration")
        return HttpApi(
            api_id=api["ApiId"],
            routes=tuple(sorted(parsed, key=lambda r: r.key)),
            cors=Cors(
                allow_origins=tuple(cors.get("AllowOrigins") or ()),
                allow_headers=tuple(h.lower() for h in cors.get("AllowHeaders") or ()),
                allow_methods=tuple(m.upper() for m in cors.get("AllowMethods") or ()),
                expose_headers=tuple(h.lower() for h in cors.get("ExposeHeaders") or ()),
                allow_credentials=bool(cors.get("AllowCredentials")),
                max_age_seconds=cors.get("MaxAge"),
            )
            if cors
            else None,
        )

    def _websocket_api(self, api: dict[str, Any]) -> WebSocketApi:
        routes, integrations, authorizers = self._api_parts(api["ApiId"])
        stages = self._client("apigatewayv2").get_stages(ApiId=api["ApiId"])["Items"]
        parsed = {
            r["RouteKey"]: WsRoute(
                key=r["RouteKey"],
                function=self._target_function(r, integrations),
                two_way=bool(r.get("RouteResponseSelectionExpression")),
            )
            for r in routes
        }
        connect = next((r for r in routes if r["RouteKey"] == "$connect"), None)
        authorizer = None
        if connect and connect.get("AuthorizationType") == "CUSTOM" and connect.get("AuthorizerId") in authorizers:
            found = authorizers[connect["AuthorizerId"]]
            authorizer = RequestAuthorizer(
                function=function_name(found.get("AuthorizerUri")),
                identity_sources=tuple(found.get("IdentitySource") or ()),
            )
        return WebSocketApi(
            api_id=api["ApiId"],
            stage=sorted(s["StageName"] for s in stages)[0] if stages else "$default",
            selection_expression=str(api.get("RouteSelectionExpression") or "$request.body.action"),
            routes=parsed,
            connect_authorizer=authorizer,
        )

    def _pools(self) -> dict[str, UserPool]:
        idp = self._client("cognito-idp")
        pools = {}
        for summary in idp.list_user_pools(MaxResults=60)["UserPools"]:
            pool = idp.describe_user_pool(UserPoolId=summary["Id"])["UserPool"]
            clients = {}
            for listed in idp.list_user_pool_clients(UserPoolId=summary["Id"], MaxResults=60)["UserPoolClients"]:
                client = idp.describe_user_pool_client(UserPoolId=summary["Id"], ClientId=listed["ClientId"])[
                    "UserPoolClient"
                ]
                clients[client["ClientId"]] = PoolClient(
                    client_id=client["ClientId"],
                    auth_flows=tuple(client.get("ExplicitAuthFlows") or ()),
                    session_minutes=int(client.get("AuthSessionValidity") or 3),
                    prevent_user_existence_errors=client.get("PreventUserExistenceErrors") == "ENABLED",
                )
            triggers = {
                key: name
                for key, arn in (pool.get("LambdaConfig") or {}).items()
                if isinstance(arn, str) and (name := function_name(arn))
            }
            pools[summary["Id"]] = UserPool(pool_id=summary["Id"], triggers=triggers, clients=clients)
        return pools

    def _mappings(self) -> tuple[tuple[QueueMapping, ...], list[str]]:
        found, warnings = [], []
        for mapping in self._client("lambda").list_event_source_mappings()["EventSourceMappings"]:
            source = str(mapping.get("EventSourceArn", ""))
            name = function_name(mapping.get("FunctionArn"))
            if mapping.get("State") not in {"Enabled", "Enabling", "Creating", "Updating"} or not name:
                continue
            if not source.startswith("arn:aws:sqs:"):
                warnings.append(f"event source {source} -> {name} is not run locally (only SQS queues are)")
                continue
            found.append(
                QueueMapping(
                    uuid=mapping["UUID"],
                    queue_arn=source,
                    queue_url=queue_url_of(self.endpoint, source),
                    function=name,
                    batch_size=int(mapping.get("BatchSize") or 10),
                    report_failures="ReportBatchItemFailures" in (mapping.get("FunctionResponseTypes") or ()),
                )
            )
        return tuple(sorted(found, key=lambda m: m.uuid)), warnings

    def _subscriptions(self) -> tuple[Subscription, ...]:
        found = []
        for page in self._client("sns").get_paginator("list_subscriptions").paginate():
            found += [
                Subscription(topic_arn=s["TopicArn"], protocol=s["Protocol"], endpoint=s["Endpoint"])
                for s in page["Subscriptions"]
            ]
        return tuple(sorted(found, key=lambda s: (s.topic_arn, s.endpoint)))

    def _schedule_summaries(self) -> Iterator[dict[str, Any]]:
        for page in self._client("scheduler").get_paginator("list_schedules").paginate():
            yield from page["Schedules"]

    def _schedules(self) -> tuple[Schedule, ...]:
        scheduler = self._client("scheduler")
        found = []
        for summary in self._schedule_summaries():
            schedule = scheduler.get_schedule(Name=summary["Name"], GroupName=summary.get("GroupName", "default"))
            target = schedule.get("Target") or {}
            retry = target.get("RetryPolicy") or {}
            found.append(
                Schedule(
                    name=schedule["Name"],
                    group=schedule.get("GroupName", "default"),
                    arn=schedule["Arn"],
                    expression=schedule["ScheduleExpression"],
                    timezone=schedule.get("ScheduleExpressionTimezone") or "UTC",
                    enabled=schedule.get("State", "ENABLED") == "ENABLED",
                    target_arn=str(target.get("Arn", "")),
                    input=target.get("Input"),
                    maximum_retry_attempts=int(retry.get("MaximumRetryAttempts", 185)),
                    maximum_event_age_seconds=int(retry.get("MaximumEventAgeInSeconds", 86400)),
                    dead_letter_arn=(target.get("DeadLetterConfig") or {}).get("Arn"),
                    start=schedule.get("StartDate"),
                    end=schedule.get("EndDate"),
                    created=schedule["CreationDate"],
                )
            )
        return tuple(sorted(found, key=lambda s: (s.group, s.name)))
