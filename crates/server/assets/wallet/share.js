// Sharing: an `openid4vp://` link (pasted, scanned, or opened as `?request=`) is fetched and
// checked against the trust list by the core; the consent screen names the organisation and
// shows every claim that would leave the device, grouped by credential; optional items can be
// deselected. Nothing is sent until the person chooses Share; Do not share sends a refusal.

import { fetchRequest, respond, decline, parseRequestLink } from './core/oid4vp.js';
import { ServerError } from './core/http.js';
import { h, heading, errorSummary, button, replace, claimList, inset, tag } from './dom.js';
import { TECHNICAL, claimLabel, claimRank, formatValue, readable, title, typeName } from './passport.js';
import { field, scanner } from './receive.js';

/** What the claims sent with every credential are, in words. */
const TECHNICAL_LABELS = {
  iss: 'Who issued it',
  vct: 'Type of record',
  recordType: 'Record type',
  iat: 'When it was issued',
  nbf: 'Valid from',
  exp: 'Valid until',
  status: 'Where to check it has not been withdrawn',
  cnf: 'Your wallet\'s public key, which proves the record is yours',
  _sd_alg: 'How the record is protected',
};

/** The person's claims of a match as rows, and the credential's technical claims as rows. */
export function leavingRows(vct, claims) {
  const person = [];
  const technical = [];
  for (const c of claims) {
    const top = String(c.path[0]);
    if (TECHNICAL.has(top)) {
      if (!technical.some((t) => t.key === top)) {
        technical.push({ key: top, label: TECHNICAL_LABELS[top] ?? readable(top), value: top === 'cnf' || top === 'status' ? 'Included' : formatValue(c.value) });
      }
      continue;
    }
    const label = c.path.length > 1 ? `${claimLabel(vct, [c.path[0]])}: ${claimLabel(vct, c.path)}` : claimLabel(vct, c.path);
    person.push({ key: top, label, value: formatValue(c.value) });
  }
  person.sort((a, b) => claimRank(vct, a.key) - claimRank(vct, b.key));
  for (const t of technical) {
    if (t.key === 'iat' || t.key === 'exp' || t.key === 'nbf') {
      const seconds = Number(t.value);
      if (Number.isFinite(seconds)) t.value = new Date(seconds * 1000).toISOString().slice(0, 10);
      t.value = formatValue(t.value);
    }
  }
  return { person, technical };
}

/** The top-level person claims of a match, as an object (for its title). */
function claimObject(claims) {
  const out = {};
  for (const c of claims) if (c.path.length === 1) out[c.path[0]] = c.value;
  return out;
}

function shareError(e) {
  if (e instanceof TypeError) return 'The organisation\'s service could not be reached. Check your connection and try again.';
  if (e instanceof ServerError) return `The organisation's service refused the request (${e.message}). Ask them for a new link.`;
  return `This request could not be checked, so nothing was shared: ${e.message}`;
}

/**
 * The share screen.
 * @param {object} ctx the app context (app.js)
 */
export async function shareScreen(ctx) {
  const root = h('div', {});
  const show = (...children) => replace(root, ...children);
  const focus = (selector) => root.querySelector(selector)?.focus();

  const linkStep = (error, value = '') => {
    ctx.title(error ? 'Error: Share your passport' : 'Share your passport');
    const form = h('form', { novalidate: true, on: { submit: (ev) => { ev.preventDefault(); openLink(form.elements.request.value.trim()); } } },
      field({
        id: 'request', label: 'Link from the organisation', textarea: true, value, error,
        hint: 'Paste the link the new employer sent you. It starts with openid4vp://',
        attrs: { rows: '4', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none', class: 'app-link-input' },
      }),
      button('Continue', { type: 'submit' }));
    show(
      error ? errorSummary([{ text: error, field: 'request' }]) : null,
      heading('Share your passport'),
      h('p', { class: 'nhsuk-body' }, 'An NHS organisation asks for your passport with a link or QR code. You will see who is asking and exactly what they would get before anything is sent.'),
      scanner((text) => openLink(text), 'Scan the QR code'),
      form);
    if (error) focus('.nhsuk-error-summary');
  };

  const openLink = async (link) => {
    if (!link) return linkStep('Paste the link the organisation sent you');
    try {
      parseRequestLink(link);
    } catch {
      return linkStep('This is not a link to share your passport. It should start with openid4vp://', link);
    }
    show(heading('Share your passport'), h('p', { class: 'nhsuk-body', role: 'status' }, 'Checking who is asking...'));
    let model;
    let credentials;
    try {
      const trust = ctx.trust ?? await ctx.loadTrust();
      credentials = await ctx.store.listCredentials();
      model = await fetchRequest(link, { trust, credentials });
    } catch (e) {
      return linkStep(shareError(e), link);
    }
    consentStep(model, credentials);
  };

  const consentStep = (model, credentials, error) => {
    const name = model.verifier.name;
    ctx.title(error ? `Error: Share with ${name}?` : `Share with ${name}?`);
    const available = model.queries.filter((q) => q.requested && q.matches.length > 0);
    const missing = model.queries.filter((q) => !q.requested || q.matches.length === 0);
    const items = available.map((q) => {
      const matches = q.multiple ? q.matches : q.matches.slice(0, 1);
      const single = matches.length === 1 ? title(matches[0].vct, claimObject(matches[0].claims)) : null;
      const blocks = matches.map((m) => {
        const { person, technical } = leavingRows(m.vct, m.claims);
        const heading = title(m.vct, claimObject(m.claims));
        const type = typeName(m.vct);
        return h('div', { class: 'app-consent-match' },
          single && q.optional ? null : h('h3', { class: 'nhsuk-heading-s nhsuk-u-margin-bottom-1' }, heading),
          h('p', { class: 'nhsuk-body-s app-card-meta' }, `${heading === type ? '' : `${type}. `}From ${ctx.issuerName(m.issuer)}`),
          person.length > 0 ? claimList(person) : h('p', { class: 'nhsuk-body' }, 'Only that you hold this record.'),
          h('details', { class: 'nhsuk-details' },
            h('summary', { class: 'nhsuk-details__summary' }, h('span', { class: 'nhsuk-details__summary-text' }, 'Also sent with this record')),
            h('div', { class: 'nhsuk-details__text' }, claimList(technical))));
      });
      const box = q.optional ? h('input', { class: 'nhsuk-checkboxes__input', id: `share-${q.id}`, name: 'share', type: 'checkbox', value: q.id, checked: true }) : null;
      const item = h('div', { class: 'app-consent-item', 'data-query': q.id },
        box ? h('div', { class: 'nhsuk-checkboxes nhsuk-u-margin-bottom-3' },
          h('div', { class: 'nhsuk-checkboxes__item' }, box,
            h('label', { class: 'nhsuk-label nhsuk-checkboxes__label nhsuk-u-font-weight-bold', for: `share-${q.id}` }, single ? `Share: ${single}` : `Share these ${matches.length} records: ${typeName(matches[0].vct)}`)))
          : h('p', { class: 'nhsuk-body' }, h('strong', {}, 'Needed: '), 'this record must be shared to answer.'),
        blocks);
      const off = h('p', { class: 'nhsuk-body', hidden: true }, tag('Will not be shared', 'grey'));
      item.insertBefore(off, item.children[1] ?? null);
      box?.addEventListener('change', () => {
        item.classList.toggle('app-consent-item--off', !box.checked);
        off.hidden = box.checked;
      });
      return item;
    });

    const shareButton = button('Share', { id: 'share-button' });
    const declineButton = button('Do not share', { kind: 'secondary', id: 'decline-button' });
    const busy = (on) => {
      shareButton.disabled = on;
      declineButton.disabled = on;
    };
    shareButton.addEventListener('click', async () => {
      const declined = [...root.querySelectorAll('input[name=share]')].filter((b) => !b.checked).map((b) => b.value);
      if (declined.length === available.length) {
        return consentStep(model, credentials, 'Choose at least one record to share, or choose Do not share');
      }
      busy(true);
      try {
        const key = await ctx.key();
        const answer = await respond(model, { decline: declined }, key, { credentials, store: ctx.store });
        sharedStep(model, answer);
      } catch (e) {
        busy(false);
        consentStep(model, credentials, `Nothing was shared: ${e.message}`);
      }
    });
    declineButton.addEventListener('click', async () => {
      busy(true);
      try {
        await decline(model, { store: ctx.store });
        declinedStep(model);
      } catch (e) {
        busy(false);
        consentStep(model, credentials, `Your answer could not be sent: ${e.message}`);
      }
    });

    show(
      error ? errorSummary([{ text: error, field: available.length ? `share-${available[0].id}` : null }]) : null,
      heading(`Share your passport with ${name}?`),
      h('dl', { class: 'nhsuk-summary-list' },
        row('Who is asking', name),
        row('ODS code', model.verifier.ods),
        row('Checked', 'On the NHS trust list and allowed to ask for staff passports'),
        row('Why', `Pre-employment checks: ${name} uses what you share to check you meet the requirements of your new role before you start.`)),
      model.satisfied
        ? [
          h('h2', { class: 'nhsuk-heading-m' }, `What ${name} would get`),
          h('p', { class: 'nhsuk-body' }, 'Untick anything you do not want to share. They will see it as not shared.'),
          h('fieldset', { class: 'nhsuk-fieldset' },
            h('legend', { class: 'nhsuk-fieldset__legend nhsuk-u-visually-hidden' }, 'Records to share'),
            items),
        ]
        : inset(h('p', {}, `Your passport does not have what ${name} needs, so you cannot share. Tell them you said no, and speak to their HR team.`)),
      missing.length > 0 ? [
        h('h2', { class: 'nhsuk-heading-m' }, 'Asked for, but not in your passport'),
        h('p', { class: 'nhsuk-body' }, 'These will show as missing. The new employer will check them another way.'),
        h('ul', { class: 'nhsuk-list nhsuk-list--bullet' }, missing.map((q) => h('li', {}, queryLabel(q.id)))),
      ] : null,
      h('div', { class: 'app-button-group' }, model.satisfied ? shareButton : null, declineButton));
    if (error) focus('.nhsuk-error-summary');
  };

  const sharedStep = (model, answer) => {
    ctx.title(`Shared with ${model.verifier.name}`);
    show(
      h('div', { class: 'nhsuk-panel' },
        h('h1', { class: 'nhsuk-panel__title', tabindex: '-1' }, 'Your passport has been shared'),
        h('div', { class: 'nhsuk-panel__body' }, `with ${model.verifier.name} (${model.verifier.ods})`)),
      h('h2', { class: 'nhsuk-heading-m' }, 'What you shared'),
      h('ul', { class: 'nhsuk-list nhsuk-list--bullet', id: 'shared-list' }, answer.shared.map((s) => h('li', {}, sharedLabel(s)))),
      h('p', { class: 'nhsuk-body' }, 'This is saved in your sharing history on this device.'),
      answer.redirect_uri ? h('p', { class: 'nhsuk-body' }, h('a', { href: answer.redirect_uri }, `Continue to ${model.verifier.name}`)) : null,
      h('a', { class: 'nhsuk-button nhsuk-button--secondary', href: '#/history', draggable: 'false' }, 'See your sharing history'));
    ctx.focusHeading();
  };

  const declinedStep = (model) => {
    ctx.title('You did not share your passport');
    show(
      heading('You did not share your passport'),
      h('p', { class: 'nhsuk-body-l' }, `${model.verifier.name} has been told you said no. Nothing from your passport was sent.`),
      h('p', { class: 'nhsuk-body' }, 'If this was a mistake, ask them for a new link.'),
      h('a', { class: 'nhsuk-button nhsuk-button--secondary', href: '#/', draggable: 'false' }, 'Back to your passport'));
    ctx.focusHeading();
  };

  if (ctx.pending.request) {
    const link = ctx.pending.request;
    ctx.pending.request = null;
    show(heading('Share your passport'), h('p', { class: 'nhsuk-body', role: 'status' }, 'Checking who is asking...'));
    openLink(link);
  } else {
    linkStep();
  }
  return root;
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

function row(key, value) {
  return h('div', { class: 'nhsuk-summary-list__row' },
    h('dt', { class: 'nhsuk-summary-list__key' }, key),
    h('dd', { class: 'nhsuk-summary-list__value' }, value));
}
