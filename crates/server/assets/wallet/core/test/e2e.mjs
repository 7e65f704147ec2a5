// End to end against the real server (driven by crates/server/tests/wallet_core.rs):
//   node e2e.mjs input.json
// input: {trust_list_url, registry_jwk, offers: [{link, tx_code}], declare: {details} | null,
//         present: {link, decline: [ids], omit: {id: [claim names]}}, decline_link}
// Receives every offer with the core modules and the in-memory store, declares `declare` (the
// wallet's self-signed personal details), answers `present.link` deselecting
// `present.decline` and leaving out `present.omit`, declines `decline_link`, and prints a JSON
// summary.
import { readFile } from 'node:fs/promises';
import { memoryStore, deviceKey } from '../store.js';
import { receive } from '../oid4vci.js';
import { fetchTrustList } from '../trust.js';
import { fetchRequest, respond, decline } from '../oid4vp.js';
import { saveDeclaration } from '../declare.js';

if (!process.argv[2]) {
  // `node --test test/` also loads this file: it needs the server, so it only runs when given input.
  console.log('e2e.mjs: needs input.json; run by cargo test -p passport-server --test wallet_core');
  process.exit(0);
}
const input = JSON.parse(await readFile(process.argv[2], 'utf8'));
const store = memoryStore();
const key = await deviceKey(store);
const now = () => Math.floor(Date.now() / 1000);

const received = [];
for (const offer of input.offers) {
  const got = await receive(offer.link, offer.tx_code, { key, store, now: now() });
  received.push(...got.map((c) => ({ vct: c.vct, issuer: c.issuer })));
}
if (input.declare) await saveDeclaration(store, input.declare, key, now());
const trust = await fetchTrustList(input.trust_list_url, input.registry_jwk, now());
const credentials = await store.listCredentials();

const model = await fetchRequest(input.present.link, { trust, credentials, now: now() });
const optional = model.queries.filter((q) => q.optional && q.requested).map((q) => q.id);
for (const id of input.present.decline) {
  if (!optional.includes(id)) throw new Error(`${id} is not an optional requested query: ${optional}`);
}
for (const [id, names] of Object.entries(input.present.omit ?? {})) {
  const q = model.queries.find((x) => x.id === id);
  for (const n of names) {
    if (!q?.matches[0]?.omittable.includes(n)) throw new Error(`${id}: ${n} cannot be left out (${q?.matches[0]?.omittable})`);
  }
}
const answer = await respond(model, { decline: input.present.decline, omit: input.present.omit }, key, { credentials, store, now: now() });

let declined = null;
if (input.decline_link) {
  const other = await fetchRequest(input.decline_link, { trust, credentials, now: now() });
  declined = await decline(other, { store, now: now() });
}

console.log(JSON.stringify({
  received,
  verifier: { name: model.verifier.name, ods: model.verifier.ods },
  certificate: Buffer.from(model.verifier.certificate.der).toString('base64'),
  queries: model.queries.map((q) => ({ id: q.id, optional: q.optional, requested: q.requested, matches: q.matches.length })),
  shared: answer.shared,
  leaving: Object.fromEntries(model.queries.filter((q) => q.matches.length > 0)
    .map((q) => [q.id, q.matches[0].claims.map((c) => c.path.join('.'))])),
  redirect_uri: answer.redirect_uri,
  declined,
  history: (await store.listHistory()).map((h) => h.outcome),
}));
