// DCQL (OpenID4VP 1.0 sections 6 and 7) from the wallet's side, compatible with
// crates/oid4vp/src/dcql/select.rs: which held credentials match, which claims to disclose,
// which credential queries to answer.

const FORMAT = 'dc+sd-jwt';
const ID = /^[A-Za-z0-9_-]+$/;

/**
 * Checks the shape of a DCQL query (the rules a wallet needs before selecting).
 * @param {any} query
 * @returns {object} the query
 */
export function validate(query) {
  const bad = (why) => { throw new Error(`DCQL: ${why}`); };
  if (!query || !Array.isArray(query.credentials) || query.credentials.length === 0) bad('credentials is a non-empty array');
  const ids = new Set();
  for (const c of query.credentials) {
    if (typeof c.id !== 'string' || !ID.test(c.id) || ids.has(c.id)) bad('credential query ids are unique [A-Za-z0-9_-]+');
    ids.add(c.id);
    if (typeof c.format !== 'string' || !c.meta || typeof c.meta !== 'object') bad(`${c.id}: format and meta are required`);
    if (c.format === FORMAT && (!Array.isArray(c.meta.vct_values) || c.meta.vct_values.length === 0)) bad(`${c.id}: vct_values is required`);
    if (c.claims !== undefined) {
      if (!Array.isArray(c.claims) || c.claims.length === 0) bad(`${c.id}: claims is a non-empty array`);
      const claimIds = new Set();
      for (const cl of c.claims) {
        if (!Array.isArray(cl.path) || cl.path.length === 0) bad(`${c.id}: a claim path is a non-empty array`);
        if (!cl.path.every((p) => p === null || typeof p === 'string' || (Number.isInteger(p) && p >= 0))) bad(`${c.id}: bad claim path element`);
        if (cl.id !== undefined) {
          if (typeof cl.id !== 'string' || !ID.test(cl.id) || claimIds.has(cl.id)) bad(`${c.id}: claim ids are unique`);
          claimIds.add(cl.id);
        }
        if (cl.values !== undefined && (!Array.isArray(cl.values) || cl.values.length === 0)) bad(`${c.id}: values is a non-empty array`);
      }
      if (c.claim_sets !== undefined) {
        if (!Array.isArray(c.claim_sets) || c.claim_sets.length === 0) bad(`${c.id}: claim_sets is a non-empty array`);
        for (const set of c.claim_sets) if (!Array.isArray(set) || !set.every((id) => claimIds.has(id))) bad(`${c.id}: claim_sets names unknown claim ids`);
      }
    } else if (c.claim_sets !== undefined) {
      bad(`${c.id}: claim_sets without claims`);
    }
  }
  if (query.credential_sets !== undefined) {
    if (!Array.isArray(query.credential_sets) || query.credential_sets.length === 0) bad('credential_sets is a non-empty array');
    for (const s of query.credential_sets) {
      if (!Array.isArray(s.options) || s.options.length === 0) bad('a credential set has options');
      for (const o of s.options) if (!Array.isArray(o) || o.length === 0 || !o.every((id) => ids.has(id))) bad('a credential set option names unknown queries');
      if (s.required !== undefined && typeof s.required !== 'boolean') bad('required is a boolean');
    }
  }
  return query;
}

/**
 * Applies a claims path pointer (section 7.1.1) to processed claims; returns every selected
 * element with its concrete path (no nulls), or null when the pointer selects nothing or meets
 * an element of the wrong type.
 * @param {Record<string, any>} claims
 * @param {(string|number|null)[]} path
 * @returns {{path: (string|number)[], value: any}[]|null}
 */
export function processPath(claims, path) {
  if (path.length === 0 || typeof path[0] !== 'string') return null;
  let selected = Object.hasOwn(claims, path[0]) ? [{ path: [path[0]], value: claims[path[0]] }] : [];
  for (const component of path.slice(1)) {
    const next = [];
    for (const item of selected) {
      const v = item.value;
      if (typeof component === 'string' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
        if (Object.hasOwn(v, component)) next.push({ path: [...item.path, component], value: v[component] });
      } else if (component === null && Array.isArray(v)) {
        v.forEach((e, i) => next.push({ path: [...item.path, i], value: e }));
      } else if (typeof component === 'number' && Array.isArray(v)) {
        if (component < v.length) next.push({ path: [...item.path, component], value: v[component] });
      } else {
        return null;
      }
    }
    selected = next;
  }
  return selected.length > 0 ? selected : null;
}

/**
 * @typedef {{credential: number, disclose: (string|number)[][], claim_set: number|null}} CredentialMatch
 * @typedef {object} Selection
 * @property {{id: string, multiple: boolean, matches: CredentialMatch[]}[]} queries in query order
 * @property {{required: boolean, option: number|null}[]} sets one per credential set
 * @property {boolean} satisfied whether every non-optional credential can be delivered
 * @property {string[]} requested the query ids to answer, in query order (empty if not satisfied)
 */

/**
 * Evaluates `query` against held credentials, each given as `{vct, claims}` (processed claims
 * with every disclosure applied). Same rules as the Rust `select`.
 * @param {object} query a validated DCQL query
 * @param {{vct: string, claims: Record<string, any>}[]} held
 * @returns {Selection}
 */
export function select(query, held) {
  const queries = query.credentials.map((cq) => ({
    id: cq.id,
    multiple: cq.multiple === true,
    matches: held.map((h, i) => matchCredential(cq, h.vct, h.claims, i)).filter((m) => m !== null),
  }));
  const hasMatch = (id) => queries.some((q) => q.id === id && q.matches.length > 0);
  let sets = [];
  let satisfied;
  let chosen;
  if (query.credential_sets === undefined) {
    satisfied = queries.every((q) => q.matches.length > 0);
    chosen = query.credentials.map((c) => c.id);
  } else {
    sets = query.credential_sets.map((s) => {
      const option = s.options.findIndex((o) => o.every(hasMatch));
      return { required: s.required !== false, option: option < 0 ? null : option };
    });
    satisfied = sets.every((s) => !s.required || s.option !== null);
    chosen = query.credential_sets.flatMap((s, i) => (sets[i].option === null ? [] : s.options[sets[i].option]));
  }
  const requested = satisfied ? query.credentials.map((c) => c.id).filter((id) => chosen.includes(id)) : [];
  return { queries, sets, satisfied, requested };
}

/**
 * Matches one credential query against one credential's processed claims: the claims it
 * would disclose (the first claim set it meets), or null. With claims the person chose to
 * leave out removed first, this is what the wallet may still answer with.
 * @param {object} cq a credential query of a validated DCQL query
 * @param {string} vct
 * @param {Record<string, any>} claims
 * @returns {(string|number)[][]|null}
 */
export function disclosureFor(cq, vct, claims) {
  return matchCredential(cq, vct, claims, 0)?.disclose ?? null;
}

/** @returns {CredentialMatch|null} */
function matchCredential(cq, vct, claims, index) {
  if (cq.format !== FORMAT || !cq.meta.vct_values?.includes(vct)) return null;
  if (cq.require_cryptographic_holder_binding !== false && !Object.hasOwn(claims, 'cnf')) return null;
  if (cq.claims === undefined) return { credential: index, disclose: [], claim_set: null };
  if (cq.claim_sets === undefined) {
    const disclose = satisfyAll(cq.claims, claims);
    return disclose && { credential: index, disclose, claim_set: null };
  }
  for (const [i, option] of cq.claim_sets.entries()) {
    const disclose = satisfyAll(cq.claims.filter((c) => c.id !== undefined && option.includes(c.id)), claims);
    if (disclose) return { credential: index, disclose, claim_set: i };
  }
  return null;
}

function satisfyAll(claimQueries, claims) {
  const out = [];
  for (const cq of claimQueries) {
    const found = processPath(claims, cq.path);
    if (!found) return null;
    let matched = false;
    for (const s of found) {
      if (cq.values === undefined || cq.values.some((v) => v === s.value)) {
        matched = true;
        if (!out.some((p) => samePath(p, s.path))) out.push(s.path);
      }
    }
    // Section 6.4.1: a claim whose value matches none of `values` is treated as absent.
    if (!matched) return null;
  }
  return out;
}

function samePath(a, b) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
