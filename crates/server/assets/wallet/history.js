// Every share and refusal, kept on this device: who, when, what; and the way to what the
// organisations did with it (accesslog.js).

import { h, heading, tag, claimList } from './dom.js';
import { claimLabel, formatTime } from './passport.js';
import { sharedLabel } from './consent.js';

/**
 * The history screen.
 * @param {object} ctx the app context (app.js)
 */
export async function historyScreen(ctx) {
  const entries = (await ctx.store.listHistory()).slice().reverse();
  const out = [
    heading('Sharing history'),
    h('p', { class: 'nhsuk-body' }, 'Every time you shared your passport or said no, newest first. This list is kept only on this device.'),
  ];
  if (entries.some((e) => e.outcome === 'shared')) {
    out.push(h('p', { class: 'nhsuk-body' },
      h('a', { href: '#/access-log', id: 'access-log-link' }, 'Who has seen your data'),
      ': ask the organisations you shared with who opened it, and when.'));
  }
  if (entries.length === 0) {
    out.push(h('p', { class: 'nhsuk-body-l' }, 'You have not shared your passport yet.'));
    return out;
  }
  const list = h('ol', { class: 'nhsuk-list', 'aria-label': 'Sharing history' });
  for (const e of entries) {
    const shared = e.outcome === 'shared';
    const what = (e.shared ?? []).map((s) => ({
      label: sharedLabel(s),
      value: (s.claims ?? []).map((p) => claimLabel(s.vct, p)).join(', ') || 'That you hold it',
    }));
    list.append(h('li', { class: 'nhsuk-card' },
      h('div', { class: 'nhsuk-card__content' },
        h('h2', { class: 'nhsuk-card__heading nhsuk-heading-m' }, `${e.verifier_name} (${e.verifier_ods})`),
        h('p', { class: 'nhsuk-body' }, tag(shared ? 'Shared' : 'You said no', shared ? 'green' : 'grey'), ' ', formatTime(e.at)),
        shared ? claimList(what) : h('p', { class: 'nhsuk-body' }, 'Nothing was sent.'))));
  }
  out.push(list);
  return out;
}
