"""API Gateway HTTP API: real requests in, payload format 2.0 events to the routed function, responses out.

- Routes are matched as API Gateway does: exact method and path first, then
  path variables, then a greedy ``{proxy+}``, then ``ANY``, then ``$default``;
  nothing matched is ``404 {"message":"Not Found"}``.
- A route with the JWT authorizer needs a token from the authorizer's identity
  source (``Authorization``, with or without ``Bearer``), RS256-signed by a key
  of the issuer's JWKS (the emulator pool's), unexpired, with the configured
  issuer and an ``aud`` or ``client_id`` in the audience; otherwise
  ``401 {"message":"Unauthorized"}``.
- CORS follows the API's configuration: preflights are answered by the
  gateway, and the integration's own ``Access-Control-*`` headers are replaced.
  The runtime's own site origin (``--site-port``) is allowed too: it stands
  for the site's CloudFront URL, which a deployed stack lists in
  ``cors_allowed_origins``.
- Bodies over 10 MB get 413; bodies that are binary or not UTF-8 reach the
  function base64-encoded.
- The function's answer is mapped as API Gateway maps it (``statusCode``,
  ``headers``, ``cookies``, ``body``, ``isBase64Encoded``, or the simple form);
  a failed invocation is ``500 {"message":"Internal Server Error"}`` and its
  traceback goes to the log only.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import re
import secrets
import time
import urllib.parse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from aiohttp import web
from multidict import CIMultiDict

from tools.runtime import log
from tools.runtime.config import Cors, HttpApi, HttpRoute, JwtAuthorizer
from tools.runtime.stack import Stack

MAX_BODY_BYTES = 10 * 1024 * 1024
ACCOUNT_ID = "123456789012"
_TEXT_TYPES = re.compile(
    r"^(text/.*|application/(json|.*\+json|xml|.*\+xml|javascript|x-www-form-urlencoded|graphql)|multipart/form-data)$"
)
_COGNITO_ISSUER = re.compile(r"^https://cognito-idp\.[a-z0-9-]+\.amazonaws\.com/([\w-]+_[0-9A-Za-z]+)$")
_JWKS_REFRESH_SECONDS = 10.0


def compact(document: Any) -> str:
    return json.dumps(document, separators=(",", ":"))


def message(status: int, text: str, headers: Mapping[str, str] | None = None) -> web.Response:
    """API Gateway's own answers: ``{"message": ...}`` JSON."""
    return web.Response(
        status=status, text=compact({"message": text}), content_type="application/json", headers=headers
    )


# -- routing ------------------------------------------------------------------------------------


def _path_segments(path: str) -> list[str]:
    stripped = path.strip("/")
    return stripped.split("/") if stripped else []


def _match_path(route: HttpRoute, segments: list[str]) -> dict[str, str] | None:
    params: dict[str, str] = {}
    for index, template in enumerate(route.segments):
        if template.startswith("{") and template.endswith("+}"):
            if index >= len(segments):
                return None
            params[template[1:-2]] = "/".join(segments[index:])
            return params
        if index >= len(segments):
            return None
        if template.startswith("{") and template.endswith("}"):
            params[template[1:-1]] = segments[index]
        elif template != segments[index]:
            return None
    return params if len(route.segments) == len(segments) else None


def match_route(api: HttpApi, method: str, path: str) -> tuple[HttpRoute, dict[str, str]] | None:
    """The most specific route for ``method`` and the decoded ``path``, with its path parameters."""
    segments = _path_segments(path)
    candidates = []
    for route in api.routes:
        if route.key == "$default" or route.method not in {method, "ANY"}:
            continue
        params = _match_path(route, segments)
        if params is not None:
            greedy = any(s.endswith("+}") for s in route.segments)
            candidates.append(((not greedy, route.literal_segments, route.method == method), route, params))
    if candidates:
        _, route, params = max(candidates, key=lambda c: c[0])
        return route, params
    default = next((r for r in api.routes if r.key == "$default"), None)
    return (default, {}) if default else None


# -- JWT authorizer -----------------------------------------------------------------------------


class Unauthorized(Exception):
    """The request's token is missing or not accepted (the reason goes to the log)."""


class Forbidden(Exception):
    """The token lacks every scope the route requires."""


def jwks_url(emulator: str, issuer: str) -> str:
    """Where the issuer's signing keys are: a Cognito pool's on the emulator."""
    found = _COGNITO_ISSUER.match(issuer)
    if not found:
        raise Unauthorized(f"issuer {issuer} is not a user pool of the emulator")
    return f"{emulator}/{found.group(1)}/.well-known/jwks.json"


def claim_text(value: Any) -> str:
    """A claim as API Gateway passes it to the function: a string (lists as ``[a b]``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(claim_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def bearer(value: str | None) -> str:
    """The token of an Authorization header, with or without the ``Bearer`` scheme."""
    scheme, _, rest = (value or "").strip().partition(" ")
    if scheme.lower() == "bearer":
        return rest.strip()
    return scheme if not rest else (value or "").strip()


class JwtVerifier:
    """Verifies tokens against the issuer's JWKS, fetched from the emulator and cached by issuer."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self._keys: dict[str, dict[str, Any]] = {}  # issuer -> kid -> public key
        self._fetched: dict[str, float] = {}

    async def _key(self, issuer: str, kid: str) -> Any:
        keys = self._keys.get(issuer, {})
        if kid not in keys and time.monotonic() - self._fetched.get(issuer, -1e9) > _JWKS_REFRESH_SECONDS:
            url = jwks_url(self.stack.emulator, issuer)
            try:
                async with self.stack.session.get(url) as response:
                    document = await response.json(content_type=None) if response.status == 200 else {}
            except (OSError, ValueError) as exc:
                raise Unauthorized(f"signing keys unavailable at {url}: {exc}") from None
            keys = {}
            for jwk in (document or {}).get("keys", []) if isinstance(document, dict) else []:
                try:
                    keys[str(jwk.get("kid"))] = jwt.PyJWK(jwk).key
                except (jwt.PyJWTError, AttributeError, ValueError):
                    continue  # a key this authorizer cannot use
            self._keys[issuer] = keys
            self._fetched[issuer] = time.monotonic()
        if kid not in keys:
            raise Unauthorized("no signing key with the token's kid")
        return keys[kid]

    async def claims(self, token: str, authorizer: JwtAuthorizer) -> dict[str, Any]:
        if not token:
            raise Unauthorized("no token")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"malformed token: {exc}") from None
        if header.get("alg") != "RS256":
            raise Unauthorized(f"algorithm {header.get('alg')} is not RS256")
        key = await self._key(authorizer.issuer, str(header.get("kid")))
        try:
            claims: dict[str, Any] = jwt.decode(
                token, key, algorithms=["RS256"], issuer=authorizer.issuer,
                options={"verify_aud": False, "require": ["exp", "iss"]},
            )  # fmt: skip
        except jwt.PyJWTError as exc:
            raise Unauthorized(str(exc)) from None
        audiences = claims.get("aud")
        audiences = [audiences] if isinstance(audiences, str) else list(audiences or [])
        if claims.get("client_id"):
            audiences.append(claims["client_id"])
        if not set(audiences) & set(authorizer.audience):
            raise Unauthorized("audience not accepted")
        return claims


# -- CORS -----------------------------------------------------------------------------------------


def allowed_origin(cors: Cors, origin: str | None) -> str | None:
    if not origin:
        return None
    if origin in cors.allow_origins:
        return origin
    return "*" if "*" in cors.allow_origins else None


def preflight(cors: Cors, origin: str | None) -> web.Response:
    """API Gateway's answer to a CORS preflight: 204, with the CORS headers when the origin is allowed."""
    headers: dict[str, str] = {}
    allowed = allowed_origin(cors, origin)
    if allowed:
        headers["Access-Control-Allow-Origin"] = allowed
        if cors.allow_methods:
            headers["Access-Control-Allow-Methods"] = ",".join(cors.allow_methods)
        if cors.allow_headers:
            headers["Access-Control-Allow-Headers"] = ",".join(cors.allow_headers)
        if cors.max_age_seconds is not None:
            headers["Access-Control-Max-Age"] = str(cors.max_age_seconds)
        if cors.allow_credentials:
            headers["Access-Control-Allow-Credentials"] = "true"
    return web.Response(status=204, headers=headers)


def apply_cors(cors: Cors | None, origin: str | None, headers: CIMultiDict[str]) -> None:
    """Replace the integration's CORS headers with the API's, as API Gateway does."""
    if cors is None:
        return
    for name in [n for n in headers if n.lower().startswith("access-control-")]:
        headers.popall(name)
    allowed = allowed_origin(cors, origin)
    if not allowed:
        return
    headers["Access-Control-Allow-Origin"] = allowed
    if cors.expose_headers:
        headers["Access-Control-Expose-Headers"] = ",".join(cors.expose_headers)
    if cors.allow_credentials:
        headers["Access-Control-Allow-Credentials"] = "true"


# -- events and responses -------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    """What the event is built from (independent of the server library)."""

    method: str
    raw_path: str
    raw_query: str
    headers: Iterable[tuple[str, str]]
    body: bytes
    source_ip: str
    host: str


def is_text(content_type: str) -> bool:
    return bool(_TEXT_TYPES.match(content_type.split(";", maxsplit=1)[0].strip().lower()))


def request_id() -> str:
    return base64.b64encode(secrets.token_bytes(12)).decode()[:15] + "="


def build_event(
    api: HttpApi, route: HttpRoute, request: Request, path_params: Mapping[str, str], claims: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The payload format 2.0 event API Gateway sends for this request."""
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        lowered = name.lower()
        if lowered == "cookie":
            cookies += [c.strip() for c in value.split(";") if c.strip()]
            continue
        headers[lowered] = f"{headers[lowered]},{value}" if lowered in headers else value
    now = datetime.now(UTC)
    path = urllib.parse.unquote(request.raw_path)
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.key,
        "rawPath": request.raw_path,
        "rawQueryString": request.raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": ACCOUNT_ID,
            "apiId": api.api_id,
            "domainName": request.host,
            "domainPrefix": request.host.split(".")[0].split(":")[0],
            "http": {
                "method": request.method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": request.source_ip,
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": request_id(),
            "routeKey": route.key,
            "stage": "$default",
            "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(now.timestamp() * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    query: dict[str, str] = {}
    for key, value in urllib.parse.parse_qsl(request.raw_query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    if query:
        event["queryStringParameters"] = query
    if path_params:
        event["pathParameters"] = dict(path_params)
    if claims is not None:
        scope = claims.get("scope")
        event["requestContext"]["authorizer"] = {
            "jwt": {
                "claims": {name: claim_text(value) for name, value in claims.items()},
                "scopes": str(scope).split() if scope else None,
            }
        }
    if request.body:
        try:
            text = request.body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is not None and is_text(headers.get("content-type", "text/plain")):
            event["body"] = text
        else:
            event["body"] = base64.b64encode(request.body).decode()
            event["isBase64Encoded"] = True
    return event


class BadResponse(ValueError):
    """The function's answer is not one API Gateway can map."""


def map_response(result: Any) -> tuple[int, CIMultiDict[str], bytes]:
    """(status, headers, body) from a payload 2.0 function answer, as API Gateway maps it."""
    headers: CIMultiDict[str] = CIMultiDict()
    if not (isinstance(result, dict) and "statusCode" in result):
        # The simple form: any JSON value is the body of a 200 JSON response.
        body = result if isinstance(result, str) else json.dumps(result)
        headers["Content-Type"] = "application/json"
        return 200, headers, body.encode()
    status = result["statusCode"]
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise BadResponse(f"statusCode {status!r} is not an HTTP status")
    for name, value in (result.get("headers") or {}).items():
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise BadResponse(f"header {name} is not a string")
        headers.add(str(name), str(value))
    cookies = result.get("cookies") or []
    if not isinstance(cookies, list) or not all(isinstance(c, str) for c in cookies):
        raise BadResponse("cookies is not a list of strings")
    for cookie in cookies:
        headers.add("Set-Cookie", cookie)
    content = result.get("body")
    if content is None:
        return status, headers, b""
    if not isinstance(content, str):
        raise BadResponse("body is not a string")
    if result.get("isBase64Encoded"):
        try:
            return status, headers, base64.b64decode(content, validate=True)
        except binascii.Error:
            raise BadResponse("body is not base64 although isBase64Encoded is true") from None
    return status, headers, content.encode()


# -- the gateway --------------------------------------------------------------------------------


class HttpGateway:
    def __init__(self, stack: Stack, site_origins: tuple[str, ...] = ()) -> None:
        self.stack = stack
        self.verifier = JwtVerifier(stack)
        self.site_origins = site_origins

    def cors(self, api: HttpApi) -> Cors | None:
        if api.cors is None or not self.site_origins:
            return api.cors
        return dataclasses.replace(api.cors, allow_origins=(*api.cors.allow_origins, *self.site_origins))

    async def handle(self, request: web.Request) -> web.StreamResponse:
        started = time.monotonic()
        api = self.stack.config.http
        origin = request.headers.get("Origin")
        if api is None:
            return message(404, "Not Found")
        cors = self.cors(api)
        if (
            cors is not None
            and request.method == "OPTIONS"
            and origin
            and "Access-Control-Request-Method" in request.headers
        ):
            return preflight(cors, origin)
        found = match_route(api, request.method, request.path)
        if found is None:
            self._log("-", f"{request.method} {request.path}", 404, started)
            return message(404, "Not Found")
        route, params = found
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            return message(413, "Request Entity Too Large")
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return message(413, "Request Entity Too Large")
        claims = None
        if route.authorizer is not None:
            try:
                claims = await self.verifier.claims(
                    bearer(request.headers.get(route.authorizer.header)), route.authorizer
                )
                if route.scopes and not set(str(claims.get("scope", "")).split()) & set(route.scopes):
                    raise Forbidden("no required scope")
            except Unauthorized as exc:
                self._log(route.function or "-", route.key, f"401 ({exc})", started)
                return self._cors(api, origin, message(401, "Unauthorized", {"WWW-Authenticate": "Bearer"}))
            except Forbidden:
                self._log(route.function or "-", route.key, 403, started)
                return self._cors(api, origin, message(403, "Forbidden"))
        raw_path, _, raw_query = request.raw_path.partition("?")
        incoming = Request(
            request.method, raw_path, raw_query, request.headers.items(), body, request.remote or "", request.host
        )
        event = build_event(api, route, incoming, params, claims)
        outcome = await self.stack.invoke(route.function, event)
        if not outcome.ok:
            log.info(f"  {route.function or '-'} | {outcome.error_type}: {outcome.error_message}")
            self._log(route.function or "-", route.key, 500, started)
            return self._cors(api, origin, message(500, "Internal Server Error"))
        try:
            status, headers, payload = map_response(outcome.result)
        except BadResponse as exc:
            log.info(f"  {route.function} | malformed response: {exc}")
            self._log(route.function or "-", route.key, 500, started)
            return self._cors(api, origin, message(500, "Internal Server Error"))
        apply_cors(cors, origin, headers)
        self._log(route.function or "-", route.key, status, started)
        return web.Response(status=status, headers=headers, body=payload)

    def _cors(self, api: HttpApi, origin: str | None, response: web.Response) -> web.Response:
        headers: CIMultiDict[str] = CIMultiDict(response.headers)
        apply_cors(self.cors(api), origin, headers)
        for name in (
            "Access-Control-Allow-Origin",
            "Access-Control-Expose-Headers",
            "Access-Control-Allow-Credentials",
        ):
            if name in headers:
                response.headers[name] = headers[name]
        return response

    @staticmethod
    def _log(function: str, what: str, status: int | str, started: float) -> None:
        log.invocation(function, what, str(status), (time.monotonic() - started) * 1000)
