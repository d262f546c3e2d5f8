// Run in the page by tests/e2e/test_browser_clients.py: clients/web/crypto.js against clients/test-vectors.json.
async (v) => {
  const c = await import("/crypto.js");
  const hex = (s) => Uint8Array.from(s.match(/../g), (b) => parseInt(b, 16));
  const toHex = (bytes) => Array.from(bytes, (x) => x.toString(16).padStart(2, "0")).join("");
  // PKCS#8 wrapping of a raw X25519 private key (RFC 8410); the public key comes back through its JWK.
  const prefix = hex("302e020100300506032b656e04220420");
  const channel = async (role, priv) => {
    const pkcs8 = new Uint8Array([...prefix, ...hex(priv)]);
    const privateKey = await crypto.subtle.importKey("pkcs8", pkcs8, { name: "X25519" }, true, ["deriveBits"]);
    const { x } = await crypto.subtle.exportKey("jwk", privateKey);
    const publicKey = await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "X25519", x }, { name: "X25519" }, true, []);
    return new c.Channel(role, v.code, { privateKey, publicKey });
  };
  const opener = await channel(c.OPENER, v.opener_private);
  const joiner = await channel(c.JOINER, v.joiner_private);
  const out = {
    opener_hello: c.toBase64(await opener.hello()),
    joiner_hello: c.toBase64(await joiner.hello()),
    confirmations: [await opener.acceptHello(await joiner.hello()), await joiner.acceptHello(await opener.hello())],
    opener_to_joiner_key: toHex(opener.keys.openerToJoiner),
    joiner_to_opener_key: toHex(opener.keys.joinerToOpener),
    payloads: [],
    decrypted: [],
    rejected: [],
  };
  for (const m of v.messages) {
    const [from, to] = m.from === "opener" ? [opener, joiner] : [joiner, opener];
    out.payloads.push(c.toBase64(await from.encrypt(new TextEncoder().encode(m.plaintext))));
    out.decrypted.push(new TextDecoder().decode(await to.decrypt(c.fromBase64(m.payload))));
  }
  for (const r of v.rejected) {
    try {
      await (r.to === "joiner" ? joiner : opener).decrypt(c.fromBase64(r.payload));
      out.rejected.push("accepted");
    } catch (e) {
      out.rejected.push(e instanceof c.RelayCryptoError ? e.message : `other: ${e}`);
    }
  }
  return out;
}
