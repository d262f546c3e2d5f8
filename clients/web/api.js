// Talking to a parley stack: config.json, sign-in, the HTTP API and the WebSocket API.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let config = null;

export async function loadConfig() {
  const response = await fetch("/config.json", { cache: "no-cache" });
  if (!response.ok) throw new ApiError(response.status, "no_config", "config.json is missing: publish the site with 'make up' or 'make deploy-site'");
  config = await response.json();
  return config;
}

export function settings() {
  return config;
}

function apiUrl(path) {
  return config.http_api_url.replace(/\/$/, "") + path;
}

const TOKENS = "parley.tokens";

export function tokens() {
  const raw = sessionStorage.getItem(TOKENS);
  return raw ? JSON.parse(raw) : null;
}

export function saveTokens(value) {
  if (value) sessionStorage.setItem(TOKENS, JSON.stringify(value));
  else sessionStorage.removeItem(TOKENS);
}

async function parse(response) {
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = { message: text };
  }
  if (!response.ok) {
    throw new ApiError(response.status, body?.error || "http_" + response.status, body?.message || `HTTP ${response.status}`);
  }
  return body;
}

export async function request(method, path, body, { auth = true } = {}) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (auth) {
    const current = tokens();
    if (!current) throw new ApiError(401, "signed_out", "sign in first");
    headers.Authorization = `Bearer ${current.access_token}`;
  }
  const send = () => fetch(apiUrl(path), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let response = await send();
  if (response.status === 401 && auth && (await refresh())) {
    headers.Authorization = `Bearer ${tokens().access_token}`;
    response = await send();
  }
  return parse(response);
}

async function refresh() {
  const current = tokens();
  if (!current?.refresh_token) return false;
  try {
    const fresh = await request("POST", "/auth/refresh", { refresh_token: current.refresh_token }, { auth: false });
    saveTokens({ ...current, ...fresh });
    return true;
  } catch {
    saveTokens(null);
    return false;
  }
}

export async function startSignIn(email) {
  return request("POST", "/auth/login", { email }, { auth: false });
}

export async function verifySignIn(email, session, code) {
  const result = await request("POST", "/auth/verify", { email, session, code }, { auth: false });
  saveTokens(result);
  return result;
}

// Google through the Cognito hosted UI: authorization code with PKCE.
function base64url(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export async function googleSignInUrl() {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  sessionStorage.setItem("parley.pkce", JSON.stringify({ verifier, state }));
  const query = new URLSearchParams({
    identity_provider: "Google",
    response_type: "code",
    client_id: config.user_pool_client_id,
    redirect_uri: `${location.origin}/auth/callback`,
    scope: "openid email profile",
    code_challenge_method: "S256",
    code_challenge: challenge,
    state,
  });
  return `https://${config.hosted_ui_domain}/oauth2/authorize?${query}`;
}

export async function finishGoogleSignIn(params) {
  const saved = JSON.parse(sessionStorage.getItem("parley.pkce") || "null");
  sessionStorage.removeItem("parley.pkce");
  if (!saved || params.get("state") !== saved.state || !params.get("code")) {
    throw new ApiError(400, "invalid_callback", "the sign-in answer does not match the request: try again");
  }
  const response = await fetch(`https://${config.hosted_ui_domain}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: config.user_pool_client_id,
      code: params.get("code"),
      redirect_uri: `${location.origin}/auth/callback`,
      code_verifier: saved.verifier,
    }),
  });
  const result = await parse(response);
  saveTokens(result);
  return result;
}

// One WebSocket per page: frames in order, replies matched by `ref`.
export class Live {
  constructor() {
    this.socket = null;
    this.handlers = new Set();
    this.pending = new Map();
    this.nextRef = 1;
  }

  on(handler) {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  async open() {
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) return this.ready;
    const url = `${config.websocket_url}?token=${encodeURIComponent(tokens().access_token)}`;
    this.socket = new WebSocket(url);
    this.socket.addEventListener("message", (event) => this.dispatch(JSON.parse(event.data)));
    this.socket.addEventListener("close", () => {
      for (const { reject } of this.pending.values()) reject(new ApiError(0, "closed", "the connection closed"));
      this.pending.clear();
      this.dispatch({ type: "closed" });
    });
    this.ready = new Promise((resolve, reject) => {
      this.socket.addEventListener("open", () => resolve(), { once: true });
      this.socket.addEventListener("error", () => reject(new ApiError(0, "unreachable", "cannot reach the WebSocket API")), { once: true });
    });
    return this.ready;
  }

  dispatch(frame) {
    const waiting = frame.ref && this.pending.get(frame.ref);
    if (waiting) {
      this.pending.delete(frame.ref);
      if (frame.type === "error") waiting.reject(new ApiError(400, frame.error, frame.message));
      else waiting.resolve(frame);
    }
    for (const handler of this.handlers) handler(frame);
  }

  // Send a frame and wait for its reply (or its error).
  async call(action, fields = {}) {
    await this.open();
    const ref = String(this.nextRef++);
    const reply = new Promise((resolve, reject) => this.pending.set(ref, { resolve, reject }));
    this.socket.send(JSON.stringify({ action, ref, ...fields }));
    return reply;
  }

  // Send a frame that has no reply.
  async notify(action, fields = {}) {
    await this.open();
    this.socket.send(JSON.stringify({ action, ...fields }));
  }

  close() {
    this.socket?.close();
    this.socket = null;
  }
}
