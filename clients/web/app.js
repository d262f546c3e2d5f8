// parley's reference web client: one page, ES modules, no build step.
// Routes: /signin, /rooms, /relay, /call (and /auth/callback for Google).
import * as api from "./api.js";
import { Channel, JOINER, OPENER, RelayCryptoError, fromBase64, normalizeCode, toBase64 } from "./crypto.js";

const main = document.getElementById("main");
const live = new api.Live();
let me = null;
let leaveView = () => {};
// The attachment types the server serves inline (lambda_src/parley/domain/files.py, INLINE_TYPES).
const INLINE_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value !== false && value !== null && value !== undefined) node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function field(id, label, attributes = {}) {
  return [el("label", { for: id }, label), el("input", { id, name: id, ...attributes })];
}

export function showError(error) {
  const alert = document.getElementById("alert");
  alert.textContent = error instanceof Error ? error.message : String(error);
  clearTimeout(showError.timer);
  showError.timer = setTimeout(() => (alert.textContent = ""), 8000);
}

function guard(handler) {
  return async (event) => {
    event?.preventDefault?.();
    if (event instanceof Event) document.getElementById("alert").textContent = "";
    try {
      await handler(event);
    } catch (error) {
      showError(error);
    }
  };
}

function render(title, ...content) {
  document.title = `${title} · parley`;
  main.replaceChildren(el("h1", {}, title), ...content);
  main.focus();
}

function navigate(path) {
  history.pushState({}, "", path);
  route();
}

// -- sign-in ------------------------------------------------------------------

function signInView() {
  const status = el("p", { role: "status", id: "signin-status" });
  const codeForm = el(
    "form",
    { id: "code-form", hidden: true },
    ...field("code", "Code from the e-mail", { inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}", required: true }),
    el("button", { type: "submit" }, "Sign in"),
  );
  let pending = null;
  const emailForm = el(
    "form",
    {
      id: "email-form",
      onsubmit: guard(async () => {
        const email = emailForm.elements.email.value.trim();
        pending = { email, ...(await api.startSignIn(email)) };
        status.textContent = `A 6-digit code was sent to ${email}.`;
        codeForm.hidden = false;
        codeForm.elements.code.focus();
      }),
    },
    ...field("email", "E-mail", { type: "email", autocomplete: "email", required: true }),
    el("button", { type: "submit" }, "Send me a code"),
  );
  codeForm.addEventListener(
    "submit",
    guard(async () => {
      await api.verifySignIn(pending.email, pending.session, codeForm.elements.code.value.trim());
      await loadMe();
      navigate(sessionStorage.getItem("parley.after") || "/rooms");
    }),
  );
  const google = api.settings().hosted_ui_domain
    ? el("p", {}, el("button", { type: "button", class: "secondary", onclick: guard(async () => (location.href = await api.googleSignInUrl())) }, "Sign in with Google"))
    : null;
  render("Sign in", el("section", { "aria-labelledby": "signin-heading" }, el("h2", { id: "signin-heading" }, "E-mail code"), emailForm, codeForm, status), google);
}

async function loadMe() {
  me = await api.request("GET", "/me");
  const who = document.getElementById("who");
  who.replaceChildren(
    el("span", {}, `${me.email || me.display_name || "signed in"} · your id `, el("code", { id: "my-id" }, me.id)),
    el("button", { type: "button", class: "secondary", onclick: () => { api.saveTokens(null); live.close(); me = null; who.replaceChildren(); navigate("/signin"); } }, "Sign out"),
  );
}

// -- rooms and chat -------------------------------------------------------------

function roomsView() {
  const list = el("ul", { class: "rooms-list", id: "rooms", "aria-label": "Your rooms" });
  const chat = el("section", { id: "chat", "aria-labelledby": "chat-heading" }, el("h2", { id: "chat-heading" }, "Pick a room"));
  const createForm = el(
    "form",
    {
      id: "create-room",
      onsubmit: guard(async () => {
        const room = await api.request("POST", "/rooms", { name: createForm.elements["room-name"].value.trim() });
        createForm.reset();
        await refresh();
        await openRoom(room);
      }),
    },
    ...field("room-name", "New room", { required: true, maxlength: 100 }),
    el("button", { type: "submit" }, "Create"),
  );
  let current = null;

  async function refresh() {
    const page = await api.request("GET", "/rooms?limit=50");
    list.replaceChildren(
      ...page.items.map((room) =>
        el("li", {}, el("button", { type: "button", "data-room": room.id, "aria-current": current?.id === room.id ? "true" : "false", onclick: guard(() => openRoom(room)) }, room.name || room.id)),
      ),
    );
  }

  async function openRoom(room) {
    if (current) await live.call("leave", { room: current.id }).catch(() => {});
    current = room;
    for (const button of list.querySelectorAll("button")) button.setAttribute("aria-current", String(button.dataset.room === room.id));
    chat.replaceChildren(...(await chatPanel(room)));
  }

  const stop = live.on((frame) => {
    if (frame.type === "closed") current = null;
  });
  leaveView = () => {
    stop();
    if (current) live.call("leave", { room: current.id }).catch(() => {});
  };
  render("Rooms", el("div", { class: "columns" }, el("section", { "aria-label": "Rooms" }, list, createForm), chat));
  return refresh();
}

async function chatPanel(room) {
  const log = el("ol", { class: "log", id: "messages", "aria-label": "Messages", "aria-live": "polite" });
  const present = new Set();
  const presence = el("p", { class: "presence", id: "presence" });
  const typing = el("p", { class: "typing", id: "typing", "aria-live": "polite" });
  let cursor = null;
  const older = el("button", { type: "button", class: "secondary", id: "older", onclick: guard(() => loadHistory()) }, "Load older messages");

  const name = (user) => (user === me.id ? "you" : user);
  const showPresence = () => (presence.textContent = `Here now: ${[...present].map(name).join(", ") || "nobody"}`);

  async function messageItem(raw) {
    // Live frames say `sender`/`id`; history items keep the stored names.
    const message = { ...raw, sender: raw.sender ?? raw.sender_id, id: raw.id ?? raw.message_id };
    const item = el("li", { class: message.sender === me.id ? "me" : "", "data-id": message.id }, el("span", { class: "meta" }, `${name(message.sender)}: `), message.text || "");
    // Each attachment the server signed a read URL for (members only, for a few minutes): images are shown,
    // other files are links; the file name is the image's text alternative.
    for (const attachment of message.attachments || []) {
      const file = attachment.key.slice(attachment.key.lastIndexOf("/") + 1);
      if (!attachment.url) item.append(el("span", { class: "meta" }, ` [attachment ${file}]`));
      else if (INLINE_TYPES.has(attachment.content_type)) item.append(el("img", { src: attachment.url, alt: file }));
      else item.append(" ", el("a", { href: attachment.url }, file));
    }
    return item;
  }

  async function loadHistory() {
    const query = new URLSearchParams({ limit: "20", ...(cursor ? { cursor } : {}) });
    const page = await api.request("GET", `/rooms/${room.id}/messages?${query}`);
    const items = await Promise.all(page.items.map(messageItem));
    log.prepend(...items.reverse());
    cursor = page.next_cursor;
    older.hidden = !cursor;
  }

  const stop = live.on(async (frame) => {
    if (frame.room !== room.id) return;
    if (frame.type === "presence") {
      if (frame.state === "joined") present.add(frame.user);
      else present.delete(frame.user);
      showPresence();
    } else if (frame.type === "typing") {
      typing.textContent = `${name(frame.user)} is typing…`;
      clearTimeout(chatPanel.typingTimer);
      chatPanel.typingTimer = setTimeout(() => (typing.textContent = ""), 3000);
    } else if (frame.type === "message") {
      typing.textContent = "";
      log.append(await messageItem(frame));
      log.scrollTop = log.scrollHeight;
    }
  });
  const previous = leaveView;
  leaveView = () => {
    stop();
    previous();
  };

  const joined = await live.call("join", { room: room.id });
  for (const user of joined.present || []) present.add(user);
  showPresence();
  await loadHistory();

  let lastTyping = 0;
  const form = el(
    "form",
    {
      id: "send-form",
      onsubmit: guard(async () => {
        const text = form.elements.message.value;
        if (!text.trim()) return;
        const sent = await live.call("send", { room: room.id, text });
        log.append(await messageItem({ id: sent.id, sender: me.id, text }));
        log.scrollTop = log.scrollHeight;
        form.reset();
      }),
    },
    ...field("message", "Message", { autocomplete: "off", maxlength: 4000, required: true, oninput: () => {
      if (Date.now() - lastTyping > 2000) {
        lastTyping = Date.now();
        live.notify("typing", { room: room.id }).catch(showError);
      }
    } }),
    el("button", { type: "submit" }, "Send"),
  );
  const imageForm = el(
    "form",
    {
      id: "image-form",
      onsubmit: guard(async () => {
        const file = imageForm.elements.image.files[0];
        if (!file) throw new Error("choose an image first");
        const upload = await api.request("POST", "/uploads", { filename: file.name, content_type: file.type || "application/octet-stream", size_bytes: file.size });
        const put = await fetch(upload.upload_url, { method: "PUT", headers: { "Content-Type": upload.headers["Content-Type"] }, body: file });
        if (!put.ok) throw new Error(`the upload failed (HTTP ${put.status})`);
        const sent = await live.call("send", { room: room.id, type: "image", text: file.name, attachments: [upload.key] });
        log.append(await messageItem({ id: sent.id, sender: me.id, text: file.name, attachments: sent.attachments }));
        imageForm.reset();
      }),
    },
    ...field("image", "Image", { type: "file", accept: "image/*" }),
    el("button", { type: "submit" }, "Upload and send"),
  );
  const addMember = el(
    "form",
    {
      id: "add-member",
      onsubmit: guard(async () => {
        const userId = addMember.elements["member-id"].value.trim();
        await api.request("POST", `/rooms/${room.id}/members`, { user_id: userId });
        addMember.reset();
        log.append(el("li", { class: "system" }, `${userId} was added to the room`));
      }),
    },
    ...field("member-id", "Add a member (their user id)", { required: true, autocomplete: "off" }),
    el("button", { type: "submit" }, "Add"),
  );
  return [el("h2", { id: "chat-heading" }, room.name || room.id), presence, older, log, typing, form, imageForm, addMember];
}

// -- relay --------------------------------------------------------------------

function relayView() {
  const log = el("ol", { class: "log", id: "relay-log", "aria-label": "Relay messages", "aria-live": "polite" });
  const codeOut = el("p", { class: "code", id: "relay-code" });
  const confirmOut = el("p", { class: "confirm", id: "relay-confirm", role: "status" });
  let channel = null;
  let relay = null;
  const line = (text, kind = "") => {
    log.append(el("li", { class: kind }, text));
    log.scrollTop = log.scrollHeight;
  };
  const send = async (payload) => live.call("relay.send", { relay, data: toBase64(payload) });

  const stop = live.on(
    guard(async (frame) => {
      if (!frame.relay || frame.relay !== relay || !channel) return;
      if (frame.type === "relay.peer_joined") {
        line("The other peer joined.", "system");
        if (channel.role === OPENER) await send(await channel.hello());
      } else if (frame.type === "relay.peer_left") {
        line("The other peer left.", "system");
      } else if (frame.type === "relay.data") {
        const payload = fromBase64(frame.data);
        try {
          if (payload[1] === 1) {
            confirmOut.textContent = `Confirmation: ${await channel.acceptHello(payload)} (it must match the other side's)`;
            line("Keys agreed: end-to-end encrypted.", "system");
          } else {
            line(`peer: ${new TextDecoder().decode(await channel.decrypt(payload))}`);
          }
        } catch (error) {
          if (!(error instanceof RelayCryptoError)) throw error;
          line(`Rejected: ${error.message}`, "rejected");
        }
      }
    }),
  );
  leaveView = () => {
    stop();
    live.close();
  };

  const openButton = el(
    "button",
    {
      type: "button",
      id: "relay-open",
      onclick: guard(async () => {
        live.close();
        const opened = await live.call("relay.open");
        relay = opened.relay;
        channel = await Channel.create(OPENER, opened.code);
        codeOut.textContent = opened.code;
        line("Relay open: give the code to the other peer.", "system");
      }),
    },
    "Open a relay and show its code",
  );
  const joinForm = el(
    "form",
    {
      id: "relay-join",
      onsubmit: guard(async () => {
        const code = joinForm.elements["pairing-code"].value;
        const candidate = await Channel.create(JOINER, normalizeCode(code));
        live.close();
        channel = candidate;
        relay = null;
        const pendingData = [];
        // Cached payloads arrive right after the reply: hold them until the relay id is known.
        const hold = live.on((frame) => frame.type === "relay.data" && !relay && pendingData.push(frame));
        try {
          relay = (await live.call("relay.join", { code })).relay;
        } finally {
          hold();
        }
        line("Joined the relay.", "system");
        await send(await channel.hello());
        for (const frame of pendingData) live.dispatch({ ...frame, relay });
      }),
    },
    ...field("pairing-code", "Pairing code", { autocomplete: "off", required: true, placeholder: "ABCD-2345" }),
    el("button", { type: "submit" }, "Join"),
  );
  const sendForm = el(
    "form",
    {
      id: "relay-send",
      onsubmit: guard(async () => {
        if (!channel?.keys) throw new Error("no key yet: wait for the other peer");
        const text = sendForm.elements["relay-message"].value;
        await send(await channel.encrypt(new TextEncoder().encode(text)));
        line(`you: ${text}`, "me");
        sendForm.reset();
      }),
    },
    ...field("relay-message", "Encrypted message", { autocomplete: "off", required: true }),
    el("button", { type: "submit" }, "Send"),
  );
  render(
    "Relay",
    el("section", { "aria-labelledby": "pair-heading" }, el("h2", { id: "pair-heading" }, "Pair"), openButton, codeOut, joinForm, confirmOut),
    el("section", { "aria-labelledby": "relay-heading" }, el("h2", { id: "relay-heading" }, "Messages"), log, sendForm),
  );
}

// -- matchmaking and the call -----------------------------------------------------

function callView() {
  const status = el("p", { id: "call-status", role: "status" }, "Not in the queue.");
  const details = el("div", { id: "call-details" });
  let polling = null;
  leaveView = () => clearInterval(polling);

  async function matched(sessionId) {
    clearInterval(polling);
    status.textContent = `Matched: session ${sessionId}`;
    const grant = await api.request("POST", `/calls/${sessionId}/token`);
    details.replaceChildren(
      el("h2", {}, "Call token"),
      el("pre", { id: "call-token" }, grant.livekit.token),
      el("h2", {}, "ICE servers"),
      el("pre", { id: "ice-servers" }, JSON.stringify(grant.ice_servers, null, 2)),
    );
    // config.json names a LiveKit URL only where media servers run (not on the local emulator).
    if (api.settings().livekit_url && grant.livekit.url) {
      const { Room } = await import("./vendor/livekit-client.esm.mjs");
      const room = new Room();
      await room.connect(grant.livekit.url, grant.livekit.token, { rtcConfig: { iceServers: grant.ice_servers } });
      await room.localParticipant.enableCameraAndMicrophone();
      status.textContent = `In the call (LiveKit room ${room.name})`;
      leaveView = () => room.disconnect();
    }
  }

  const join = el(
    "button",
    {
      type: "button",
      id: "match-join",
      onclick: guard(async () => {
        const ticket = await api.request("POST", "/match/join", {});
        status.textContent = "Waiting for a match…";
        if (ticket.session_id) return matched(ticket.session_id);
        clearInterval(polling);
        polling = setInterval(
          guard(async () => {
            const now = await api.request("GET", "/match/status");
            if (now.status === "matched") await matched(now.session_id);
            else if (now.status === "expired") {
              clearInterval(polling);
              status.textContent = "The ticket expired: join again.";
            }
          }),
          1000,
        );
      }),
    },
    "Join the queue",
  );
  render("Call", el("section", { "aria-label": "Matchmaking" }, join, status, details));
}

// -- routing ------------------------------------------------------------------

async function route() {
  const path = location.pathname;
  // The view being left closes what it opened (frame handlers, sockets, timers).
  leaveView();
  leaveView = () => {};
  try {
    if (path === "/auth/callback") {
      await api.finishGoogleSignIn(new URLSearchParams(location.search));
      history.replaceState({}, "", "/rooms");
      return route();
    }
    if (!api.tokens()) {
      if (path !== "/signin") sessionStorage.setItem("parley.after", path === "/" ? "/rooms" : path);
      history.replaceState({}, "", "/signin");
      return signInView();
    }
    if (!me) await loadMe();
    if (path === "/relay") return relayView();
    if (path === "/call") return callView();
    if (path !== "/rooms") history.replaceState({}, "", "/rooms");
    return await roomsView();
  } catch (error) {
    showError(error);
  }
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-route], a.brand");
  if (link && link.origin === location.origin) {
    event.preventDefault();
    navigate(link.pathname);
  }
});
window.addEventListener("popstate", route);

api.loadConfig().then(route, showError);
