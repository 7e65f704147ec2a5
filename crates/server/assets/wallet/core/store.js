// Where the wallet keeps its device key, credentials and sharing history. Two implementations
// of one interface: IndexedDB in the browser (the device key stored as a non-extractable
// CryptoKey object, never exported) and in memory (Node tests).

import { generateDeviceKey } from './jose.js';

/**
 * @typedef {object} HistoryEntry
 * @property {number} at Unix seconds
 * @property {string} verifier_name
 * @property {string} verifier_ods
 * @property {'shared'|'declined'} outcome
 * @property {{query_id: string, vct: string, claims: (string|number)[][]}[]} shared
 * @property {string} [response_uri] where the answer was posted (which node holds it; entries
 *   written before the wallet kept it have none)
 */

/**
 * The store interface.
 * @typedef {object} Store
 * @property {() => Promise<CryptoKeyPair|null>} getKey the device key pair, if made
 * @property {(key: CryptoKeyPair) => Promise<void>} putKey keeps the device key pair
 * @property {() => Promise<import('./oid4vci.js').ReceivedCredential[]>} listCredentials in
 *   the order received
 * @property {(credentials: import('./oid4vci.js').ReceivedCredential[]) => Promise<void>}
 *   putCredentials stores all of them or none (keyed by `id`)
 * @property {(remove: string[], add: import('./oid4vci.js').ReceivedCredential[]) => Promise<void>}
 *   replaceCredentials removes the credentials with these ids and stores `add`, all or nothing
 * @property {(entry: HistoryEntry) => Promise<void>} addHistory
 * @property {() => Promise<HistoryEntry[]>} listHistory oldest first
 */

/**
 * The device key: the stored one, or a fresh non-extractable P-256 key pair, stored.
 * @param {Store} store
 * @returns {Promise<CryptoKeyPair>}
 */
export async function deviceKey(store) {
  const existing = await store.getKey();
  if (existing) return existing;
  const key = await generateDeviceKey();
  await store.putKey(key);
  return key;
}

/**
 * A store in memory (for tests; nothing survives the process).
 * @returns {Store}
 */
export function memoryStore() {
  let key = null;
  const credentials = new Map();
  const history = [];
  return {
    async getKey() { return key; },
    async putKey(k) { key = k; },
    async listCredentials() { return [...credentials.values()].map((c) => ({ ...c })); },
    async putCredentials(list) {
      for (const c of list) if (typeof c.id !== 'string') throw new Error('store: a credential needs an id');
      for (const c of list) credentials.set(c.id, { ...c });
    },
    async replaceCredentials(remove, add) {
      for (const c of add) if (typeof c.id !== 'string') throw new Error('store: a credential needs an id');
      for (const id of remove) credentials.delete(id);
      for (const c of add) credentials.set(c.id, { ...c });
    },
    async addHistory(entry) { history.push(structuredClone(entry)); },
    async listHistory() { return structuredClone(history); },
  };
}

/**
 * A store in IndexedDB (browser). Object stores: `keys` (the CryptoKeyPair under `device`,
 * stored by structured clone so the non-extractable private key is never exported),
 * `credentials` (by `id`), `history` (auto-increment).
 * @param {string} [name] database name
 * @param {IDBFactory} [idb]
 * @returns {Promise<Store>}
 */
export async function indexedDbStore(name = 'nhs-staff-passport', idb = globalThis.indexedDB) {
  const db = await new Promise((resolve, reject) => {
    const open = idb.open(name, 1);
    open.onupgradeneeded = () => {
      const d = open.result;
      d.createObjectStore('keys');
      d.createObjectStore('credentials', { keyPath: 'id' });
      d.createObjectStore('history', { autoIncrement: true });
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const run = (storeName, mode, work) => new Promise((resolve, reject) => {
    const tx = db.transaction(storeName, mode);
    const result = work(tx.objectStore(storeName));
    tx.oncomplete = () => resolve(result?.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('store: transaction aborted'));
  });
  return {
    async getKey() { return (await run('keys', 'readonly', (s) => s.get('device'))) ?? null; },
    async putKey(key) {
      if (key.privateKey.extractable) throw new Error('store: the device key must not be extractable');
      await run('keys', 'readwrite', (s) => s.put(key, 'device'));
    },
    async listCredentials() {
      const all = await run('credentials', 'readonly', (s) => s.getAll());
      return all.sort((a, b) => a.received_at - b.received_at);
    },
    async putCredentials(list) {
      await run('credentials', 'readwrite', (s) => { for (const c of list) s.put(c); });
    },
    async replaceCredentials(remove, add) {
      await run('credentials', 'readwrite', (s) => {
        for (const id of remove) s.delete(id);
        for (const c of add) s.put(c);
      });
    },
    async addHistory(entry) { await run('history', 'readwrite', (s) => s.add(entry)); },
    async listHistory() { return run('history', 'readonly', (s) => s.getAll()); },
  };
}
