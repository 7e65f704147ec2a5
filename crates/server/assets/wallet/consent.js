// What the consent screen shows of a request, as text: every record that would leave the
// device with every claim in it (the person's claims under their labels, one line each; who
// issued it and its dates; what else every record carries, said once), the person's own
// declared details apart, marked as declared by them.
// Nothing here can take focus, so the decision is a few key presses from the heading however
// much is asked for; choosing what to leave out is a step of its own (share.js).

import { h, tag } from './dom.js';
import { TECHNICAL, claimLabel, claimRank, formatValue, readable, title, typeName, formatDay } from './passport.js';
import { detailText } from './core/declare.js';

/** The top-level person claims of a match, as an object (for its title). */
export function claimObject(claims) {
  const out = {};
  for (const c of claims) if (c.path.length === 1) out[c.path[0]] = c.value;
  return out;
}

/** A time claim (Unix seconds) as a day in words. */
function day(value) {
  const seconds = Number(value);
  return Number.isFinite(seconds) ? formatDay(new Date(seconds * 1000)) : formatValue(value);
}

/** "a, b and c". */
function listText(items) {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** What is sent with every record besides the person's claims, said once for the listing. */
export const SENT_WITH_EVERY_RECORD = 'With each record they also get its type, who issued it and when, when it expires '
  + '(if it does), where to check it has not been withdrawn, and your wallet\'s public key, which proves the records are yours.';

/**
 * The person's claims of a match as labelled rows (in the type's order), and the values of the
 * claims about the record itself (`iss`, `iat`, `nbf`, `exp`) for its line of provenance.
 * @param {string} vct
 * @param {{path: (string|number)[], value: any}[]} claims the claims that would leave
 * @returns {{person: {key: string, label: string, value: string}[], envelope: Record<string, any>}}
 */
export function leavingRows(vct, claims) {
  const person = [];
  const envelope = {};
  for (const c of claims) {
    const top = String(c.path[0]);
    if (TECHNICAL.has(top)) {
      if (c.path.length === 1) envelope[top] = c.value;
      continue;
    }
    const label = c.path.length > 1 ? `${claimLabel(vct, [c.path[0]])}: ${claimLabel(vct, c.path)}` : claimLabel(vct, c.path);
    person.push({ key: top, label, value: formatValue(c.value) });
  }
  person.sort((a, b) => claimRank(vct, a.key) - claimRank(vct, b.key));
  return { person, envelope };
}

/** "Issued 5 December 2025. Valid until 4 December 2026." from the record's own claims. */
function dates(envelope) {
  const out = [];
  if (envelope.iat !== undefined) out.push(`Issued ${day(envelope.iat)}.`);
  if (envelope.nbf !== undefined) out.push(`Valid from ${day(envelope.nbf)}.`);
  if (envelope.exp !== undefined) out.push(`Valid until ${day(envelope.exp)}.`);
  return out.join(' ');
}

/** Claims as compact text lines ("Label: value"), for the long listing of the consent screen. */
function lines(rows) {
  return h('dl', { class: 'app-claims app-claims--inline' },
    rows.map((r) => h('div', { class: 'app-claims__row' }, h('dt', {}, r.label), h('dd', {}, r.value))));
}

/**
 * One requested record as the consent screen lists it.
 * @param {object} q a query of the consent model
 * @param {{off: boolean, issuerName: (iss: string) => string}} options `off`: the person chose
 *   to leave it out
 */
export function recordBlock(q, { off, issuerName }) {
  const matches = q.multiple ? q.matches : q.matches.slice(0, 1);
  return h('div', { class: `app-consent-item${off ? ' app-consent-item--off' : ''}`, 'data-query': q.id },
    off ? h('p', { class: 'nhsuk-body nhsuk-u-margin-bottom-2' }, tag('Will not be shared', 'grey')) : null,
    q.optional ? null : h('p', { class: 'nhsuk-body nhsuk-u-margin-bottom-2' }, h('strong', {}, 'Needed: '), 'this record must be shared to answer.'),
    matches.map((m) => {
      const { person, envelope } = leavingRows(m.vct, m.claims);
      const heading = title(m.vct, claimObject(m.claims));
      const type = typeName(m.vct);
      return h('div', { class: 'app-consent-match' },
        h('h3', { class: 'nhsuk-heading-s nhsuk-u-margin-bottom-1' }, heading),
        h('p', { class: 'nhsuk-body-s app-card-meta' }, `${heading === type ? '' : `${type}. `}From ${issuerName(m.issuer)}. ${dates(envelope)}`),
        person.length > 0 ? lines(person) : h('p', { class: 'nhsuk-body-s' }, 'Only that you hold this record.'));
    }));
}

/**
 * The person's own declared details as the consent screen lists them: only those that would
 * leave, each labelled as declared by them; what they chose to leave out, named.
 * @param {object} q the self-declared query of the consent model
 * @param {{name: string, omitted: Set<string>, off: boolean}} options `name`: who is asking
 */
export function declaredBlock(q, { name, omitted, off }) {
  const m = q.matches[0];
  const { person, envelope } = leavingRows(m.vct, m.claims);
  const values = claimObject(m.claims);
  for (const p of person) p.value = detailText(p.key, values[p.key]);
  const kept = person.filter((p) => !omitted.has(p.key));
  const left = person.filter((p) => omitted.has(p.key));
  return h('div', { class: `app-consent-item app-consent-item--declared${off ? ' app-consent-item--off' : ''}`, 'data-query': q.id },
    off ? h('p', { class: 'nhsuk-body nhsuk-u-margin-bottom-2' }, tag('Will not be shared', 'grey')) : null,
    h('h3', { class: 'nhsuk-heading-s nhsuk-u-margin-bottom-1' }, 'Your personal details ', tag('Declared by you', 'white')),
    h('p', { class: 'nhsuk-body-s app-card-meta' }, `Optional. Made by this wallet, not by an employer: ${name} sees these as declared by you, not verified. ${dates(envelope)}`),
    kept.length > 0 && !off ? lines(kept.map((p) => ({ label: `${p.label} (declared by you)`, value: p.value }))) : null,
    left.length > 0 && !off ? h('p', { class: 'nhsuk-body-s' }, `Left out: ${listText(left.map((p) => p.label))}.`) : null);
}

/** A requirement's query id in words: `cstf_safeguarding_children_l2` -> "Core skills training:
 * Safeguarding children, level 2"; `right_to_work` -> "Right to work". */
export function queryLabel(id) {
  const cstf = /^cstf_(.+?)_l(\d+)(?:_(.+))?$/.exec(id);
  if (cstf) return `Core skills training: ${readable(cstf[1])}, level ${cstf[2]}${cstf[3] ? ` (${readable(cstf[3])})` : ''}`;
  if (id === 'dbs') return 'DBS check';
  if (id.startsWith('oh_')) return `Occupational health: ${readable(id.slice(3))}`;
  return readable(id);
}

/** One shared item of the history, in words ("Core skills training: Fire safety, level 1"). */
export function sharedLabel(item) {
  return String(item.query_id ?? '').startsWith('cstf_') ? queryLabel(item.query_id) : typeName(item.vct);
}

/** A row of an NHS summary list. */
export function row(key, value) {
  return h('div', { class: 'nhsuk-summary-list__row' },
    h('dt', { class: 'nhsuk-summary-list__key' }, key),
    h('dd', { class: 'nhsuk-summary-list__value' }, value));
}
