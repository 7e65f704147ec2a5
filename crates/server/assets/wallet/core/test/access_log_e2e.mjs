// The access log end to end against the real server (driven by
// crates/server/tests/access_log_core.rs), in two runs with the receiving trust's staff at work
// in between:
//   node access_log_e2e.mjs input.json
// share: {phase: "share", trust_list_url, registry_jwk, offers: [{link, tx_code}], links: [...]}
//   receives every offer and answers each request link with everything asked; prints the
//   history (with each Response URI), the nodes it names and the device key. The key is made
//   extractable here only, so the second run can be the same wallet: the app's own key never is.
// log: {phase: "log", key: <private JWK>, history: [...]}
//   asks every node of the history for its log with the device key, and with a fresh key;
//   prints both.
import { readFile } from 'node:fs/promises';
import { memoryStore } from '../store.js';
import { receive } from '../oid4vci.js';
import { fetchTrustList } from '../trust.js';
import { fetchRequest, respond } from '../oid4vp.js';
import { generateDeviceKey } from '../jose.js';
import { fetchAccessLog, nodesOf } from '../accesslog.js';

if (!process.argv[2]) {
  console.log('access_log_e2e.mjs: needs input.json; run by cargo test -p passport-server --test access_log_core');
  process.exit(0);
}
const input = JSON.parse(await readFile(process.argv[2], 'utf8'));
const subtle = globalThis.crypto.subtle;
const ECDSA = { name: 'ECDSA', namedCurve: 'P-256' };
const now = () => Math.floor(Date.now() / 1000);

if (input.phase === 'share') {
  const store = memoryStore();
  const key = await subtle.generateKey(ECDSA, true, ['sign', 'verify']);
  await store.putKey(key);
  for (const offer of input.offers) await receive(offer.link, offer.tx_code, { key, store, now: now() });
  const trust = await fetchTrustList(input.trust_list_url, input.registry_jwk, now());
  const credentials = await store.listCredentials();
  for (const link of input.links) {
    const model = await fetchRequest(link, { trust, credentials, now: now() });
    await respond(model, {}, key, { credentials, store, now: now() });
  }
  const history = await store.listHistory();
  console.log(JSON.stringify({
    history,
    nodes: nodesOf(history),
    key: await subtle.exportKey('jwk', key.privateKey),
  }));
} else if (input.phase === 'log') {
  const { d, ...pub } = input.key;
  const key = {
    privateKey: await subtle.importKey('jwk', input.key, ECDSA, false, ['sign']),
    publicKey: await subtle.importKey('jwk', { kty: pub.kty, crv: pub.crv, x: pub.x, y: pub.y }, ECDSA, true, ['verify']),
  };
  const logs = [];
  const strangers = [];
  for (const node of nodesOf(input.history)) {
    logs.push(await fetchAccessLog(node, key));
    strangers.push(await fetchAccessLog(node, await generateDeviceKey()));
  }
  console.log(JSON.stringify({ logs, strangers }));
} else {
  throw new Error(`unknown phase ${input.phase}`);
}
