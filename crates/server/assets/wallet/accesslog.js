// "Who has seen your data": for every organisation's service the wallet shared with (from the
// sharing history), its record of who opened, downloaded or decided on what was shared, asked
// for with a proof signed by the device key (core/accesslog.js). Teams are named, never people.
// Text only, apart from a Try again button where a service could not be reached.

import { fetchAccessLog, nodesOf } from './core/accesslog.js';
import { ServerError } from './core/http.js';
import { h, heading, replace, button, inset, tag } from './dom.js';
import { formatTime } from './passport.js';
import { row } from './consent.js';

const TEAMS = {
  hr: 'HR team',
  'medical-staffing': 'Medical staffing team',
  oh: 'Occupational health team',
  training: 'Training team',
  admin: 'An administrator',
  auditor: 'An auditor',
};

/** Who did it: the team, from the role they acted in. */
export function team(role) {
  return TEAMS[role] ?? `Staff (${role})`;
}

/** What was done, as a sentence after the team. */
export function deed(entry, request) {
  switch (entry.what) {
    case 'asked': return 'asked for your passport';
    case 'viewed': return request.audience === 'occupational-health'
      ? 'opened the occupational health report of what you shared'
      : 'opened the report of what you shared';
    case 'exported':
      if (entry.format === 'csv') return 'downloaded the report as a spreadsheet (CSV)';
      if (entry.format === 'json') return 'downloaded the report as a data file (JSON)';
      return 'downloaded the report';
    case 'decided':
      if (entry.decision === 'accepted') return 'accepted your passport for the role';
      if (entry.decision === 'rejected') return 'did not accept your passport for the role';
      return 'recorded a decision';
    case 'ended': return 'ended the temporary arrangement early';
    default: return `recorded "${entry.action}"`;
  }
}

/** Why they asked. */
function why(request) {
  return request.audience === 'occupational-health'
    ? `Occupational health check for the role: ${request.role}`
    : `Pre-employment checks for the role: ${request.role}`;
}

function decision(request) {
  const d = request.decision;
  if (!d) return 'Not decided yet';
  const when = d.at ? ` on ${formatTime(d.at)}` : '';
  return d.outcome === 'accepted' ? `Accepted${when}` : `Not accepted${when}`;
}

function kept(request, days) {
  const gone = request.deleted;
  if (gone) {
    return gone.reason === 'erasure'
      ? `Deleted on ${formatTime(gone.at)}, when you were erased from their records`
      : `Deleted on ${formatTime(gone.at)} under their retention policy`;
  }
  return `Kept for ${days} days after the decision, then deleted`;
}

function requestCard(request, days, level) {
  const org = `${request.organisation.name} (${request.organisation.ods})`;
  const entries = [...request.entries].reverse();
  return h('section', { class: 'nhsuk-card app-log', 'data-request': request.id },
    h('div', { class: 'nhsuk-card__content' },
      h(`h${level}`, { class: 'nhsuk-card__heading nhsuk-heading-m' }, org),
      h('dl', { class: 'nhsuk-summary-list' },
        row('Why', why(request)),
        row('You shared', request.shared_at ? formatTime(request.shared_at) : 'Not yet'),
        row('Decision', decision(request)),
        row('What you shared', kept(request, days))),
      h(`h${level + 1}`, { class: 'nhsuk-heading-s' }, 'What their staff did, newest first'),
      entries.length === 0
        ? h('p', { class: 'nhsuk-body' }, 'Nobody has opened what you shared yet.')
        : h('ol', { class: 'app-log__list', 'aria-label': `What staff at ${request.organisation.name} did` },
          entries.map((e) => h('li', { class: 'app-log__item' },
            h('span', { class: 'app-log__when' }, formatTime(e.at)),
            h('span', {}, `${team(e.role)} ${deed(e, request)}`)))),
      request.entries_truncated ? h('p', { class: 'nhsuk-body-s' }, 'Older entries are not shown.') : null));
}

function failure(e) {
  if (e instanceof TypeError) return 'their service could not be reached. Check your connection.';
  if (e instanceof ServerError && e.status === 429) return 'their service is busy. Wait a minute.';
  if (e instanceof ServerError && e.status === 404) return 'their service does not keep this record.';
  return String(e.message ?? e);
}

/**
 * The screen.
 * @param {object} ctx the app context (app.js)
 */
export async function accessLogScreen(ctx) {
  const history = await ctx.store.listHistory();
  const nodes = nodesOf(history);
  // The organisations the wallet knows it shared with at each node, to name the node before
  // (or without) its answer.
  const names = (node) => [...new Set(history.filter((e) => e.outcome === 'shared' && e.response_uri?.startsWith(`${node}/`))
    .map((e) => `${e.verifier_name} (${e.verifier_ods})`))].join(', ');
  const out = [
    heading('Who has seen your data'),
    h('p', { class: 'nhsuk-body' }, 'Organisations you shared your passport with keep a record of every time their staff opened, downloaded or decided on what you shared. Your wallet asks each of them for it with a code only this device can make. The record names their teams, not the people in them.'),
  ];
  if (nodes.length === 0) {
    out.push(h('p', { class: 'nhsuk-body-l' }, 'You have not shared your passport with anyone from this device yet.'),
      h('a', { class: 'nhsuk-button nhsuk-button--secondary', href: '#/history', draggable: 'false' }, 'See your sharing history'));
    return out;
  }
  const status = h('p', { class: 'nhsuk-body', role: 'status' });
  const sections = nodes.map(() => h('div', {}));
  out.push(status, ...sections);

  const load = async (node, i) => {
    const section = sections[i];
    replace(section, h('p', { class: 'nhsuk-body' }, `Asking ${names(node)}...`));
    try {
      const log = await fetchAccessLog(node, await ctx.key());
      if (log.requests.length === 0) {
        replace(section, h('section', { class: 'nhsuk-card app-log' }, h('div', { class: 'nhsuk-card__content' },
          h('h2', { class: 'nhsuk-card__heading nhsuk-heading-m' }, names(node)),
          h('p', { class: 'nhsuk-body' }, 'They hold no record of what you shared from this device. Shares made before they kept this record are not listed.'))));
      } else {
        replace(section, log.requests.map((r) => requestCard(r, log.retention_days, 2)),
          log.truncated ? h('p', { class: 'nhsuk-body-s' }, 'Older requests are not shown.') : null);
      }
      return true;
    } catch (e) {
      const retry = button('Try again', { kind: 'secondary', id: `retry-${i}` });
      retry.addEventListener('click', async () => {
        retry.disabled = true;
        status.textContent = `Asking ${names(node)} again...`;
        const ok = await load(node, i);
        status.textContent = ok ? `Updated the record from ${names(node)}.` : `Still no record from ${names(node)}.`;
        if (!ok) sections[i].querySelector('button')?.focus();
      });
      replace(section, h('div', { class: 'app-log-failed' },
        inset(h('p', {}, tag('Not available', 'grey'), ' ', `We could not get the record from ${names(node)}: ${failure(e)}`)),
        retry));
      return false;
    }
  };

  status.textContent = `Asking ${nodes.length === 1 ? 'the organisation' : `${nodes.length} organisations`} you shared with...`;
  Promise.all(nodes.map(load)).then((results) => {
    const failed = results.filter((ok) => !ok).length;
    if (failed === 0) status.textContent = 'These are the records as they stand now.';
    else if (failed === nodes.length) status.textContent = nodes.length === 1 ? 'The organisation could not be asked.' : `None of the ${nodes.length} organisations could be asked.`;
    else status.textContent = `${failed} of ${nodes.length} could not be asked. The others' records are shown.`;
    status.dataset.done = 'true';
  });
  return out;
}
