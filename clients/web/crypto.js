// The relay's end-to-end encryption, byte for byte the same as
// clients/cli/parley_cli/crypto.py (read its docstring for the wire format).
// X25519 -> HKDF-SHA256 (salt = SHA-256(code), info = label || both public keys)
// -> AES-256-GCM, one key per direction, counter nonces.

export const VERSION = 1;
export const HELLO = 1;
export const DATA = 2;
export const OPENER = 0;
export const JOINER = 1;
const INFO = new TextEncoder().encode("parley relay v1");
const subtle = globalThis.crypto.subtle;

export class RelayCryptoError extends Error {}

export function normalizeCode(code) {
  const normalized = code.replace(/[\s-]/g, "").toUpperCase();
  if (!/^[A-Z0-9]{8}$/.test(normalized)) {
    throw new RelayCryptoError("a pairing code is 8 letters or digits, like ABCD-2345");
  }
  return normalized;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function counterBytes(counter) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(counter));
  return out;
}

export function nonce(counter) {
  return concat(new Uint8Array(4), counterBytes(counter));
}

export async function derive(sharedSecret, code, openerPublic, joinerPublic) {
  const salt = new Uint8Array(await subtle.digest("SHA-256", new TextEncoder().encode(normalizeCode(code))));
  const ikm = await subtle.importKey("raw", sharedSecret, "HKDF", false, ["deriveBits"]);
  const okm = new Uint8Array(
    await subtle.deriveBits(
      { name: "HKDF", hash: "SHA-256", salt, info: concat(INFO, openerPublic, joinerPublic) },
      ikm,
      68 * 8,
    ),
  );
  const number = new DataView(okm.buffer).getUint32(64) % 1000000;
  const confirmation = `${String(Math.floor(number / 1000)).padStart(3, "0")} ${String(number % 1000).padStart(3, "0")}`;
  return { openerToJoiner: okm.slice(0, 32), joinerToOpener: okm.slice(32, 64), confirmation };
}

export function hello(role, publicKey) {
  return concat(new Uint8Array([VERSION, HELLO, role]), publicKey);
}

export function parseHello(payload) {
  if (payload.length !== 35 || payload[0] !== VERSION || payload[1] !== HELLO || payload[2] > JOINER) {
    throw new RelayCryptoError("not a relay hello");
  }
  return { role: payload[2], publicKey: payload.slice(3) };
}

async function aesKey(raw) {
  return subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

export async function seal(key, counter, plaintext) {
  const header = concat(new Uint8Array([VERSION, DATA]), counterBytes(counter));
  const sealed = await subtle.encrypt(
    { name: "AES-GCM", iv: nonce(counter), additionalData: header },
    await aesKey(key),
    plaintext,
  );
  return concat(header, new Uint8Array(sealed));
}

export async function openSealed(key, payload) {
  if (payload.length < 26 || payload[0] !== VERSION || payload[1] !== DATA) {
    throw new RelayCryptoError("not a relay data payload");
  }
  const header = payload.slice(0, 10);
  const counter = Number(new DataView(header.buffer).getBigUint64(2));
  try {
    const plain = await subtle.decrypt(
      { name: "AES-GCM", iv: nonce(counter), additionalData: header },
      await aesKey(key),
      payload.slice(10),
    );
    return { counter, plaintext: new Uint8Array(plain) };
  } catch {
    throw new RelayCryptoError("a payload failed authentication (tampered, or a different key)");
  }
}

export async function generateKeyPair() {
  return subtle.generateKey({ name: "X25519" }, false, ["deriveBits"]);
}

// One peer's end: its key pair, then (after both hellos) its send and receive keys.
export class Channel {
  constructor(role, code, keyPair) {
    this.role = role;
    this.code = normalizeCode(code);
    this.keyPair = keyPair;
    this.keys = null;
    this.sent = 0;
    this.received = 0;
  }

  static async create(role, code) {
    return new Channel(role, code, await generateKeyPair());
  }

  async publicKey() {
    return new Uint8Array(await subtle.exportKey("raw", this.keyPair.publicKey));
  }

  async hello() {
    return hello(this.role, await this.publicKey());
  }

  async acceptHello(payload) {
    const { role, publicKey } = parseHello(payload);
    if (role === this.role) throw new RelayCryptoError("the other peer claims our role");
    let shared;
    try {
      const peer = await subtle.importKey("raw", publicKey, { name: "X25519" }, false, []);
      shared = new Uint8Array(await subtle.deriveBits({ name: "X25519", public: peer }, this.keyPair.privateKey, 256));
    } catch {
      throw new RelayCryptoError("the other peer's public key is invalid");
    }
    const mine = await this.publicKey();
    const [opener, joiner] = this.role === OPENER ? [mine, publicKey] : [publicKey, mine];
    this.keys = await derive(shared, this.code, opener, joiner);
    this.sent = 0;
    this.received = 0;
    return this.keys.confirmation;
  }

  directions() {
    if (!this.keys) throw new RelayCryptoError("no key yet: the other peer's hello has not arrived");
    return this.role === OPENER
      ? [this.keys.openerToJoiner, this.keys.joinerToOpener]
      : [this.keys.joinerToOpener, this.keys.openerToJoiner];
  }

  async encrypt(plaintext) {
    const [sendKey] = this.directions();
    this.sent += 1;
    return seal(sendKey, this.sent, plaintext);
  }

  async decrypt(payload) {
    const [, receiveKey] = this.directions();
    const { counter, plaintext } = await openSealed(receiveKey, payload);
    if (counter <= this.received) throw new RelayCryptoError("a payload was replayed or reordered");
    this.received = counter;
    return plaintext;
  }
}

export function toBase64(bytes) {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

export function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
