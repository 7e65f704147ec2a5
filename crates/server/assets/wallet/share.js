// Sharing: an `openid4vp://` link (pasted, scanned, or opened as `?request=`) is fetched and
// checked against the trust list by the core. The consent screen names the organisation and
// lists, as text, every claim that would leave the device (consent.js), then the decision:
// Share, Choose what to share, Do not share. Choosing is a step of its own, one checkbox per
// optional record and per declared detail, so the decision stays a few key presses from the
// heading. Nothing is sent until the person chooses Share; Do not share sends a refusal.

import { fetchRequest, respond, decline, parseRequestLink } from './core/oid4vp.js';
import { ServerError } from './core/http.js';
import { isSelfDeclared, detailText } from './core/declare.js';
import { h, heading, errorSummary, button, replace, inset } from './dom.js';
import { title, typeName, claimLabel } from './passport.js';
import { field, scanner } from './receive.js';
import {
  claimObject, recordBlock, declaredBlock, queryLabel, sharedLabel, row, SENT_WITH_EVERY_RECORD,
} from './consent.js';

function shareError(e) {
  if (e instanceof TypeError) return 'The organisation\'s service could not be reached. Check your connection and try again.';
  if (e instanceof ServerError) return `The organisation's service refused the request (${e.message}). Ask them for a new link.`;
  return `This request could not be checked, so nothing was shared: ${e.message}`;
}

/**
 * The queries the wallet can answer, the person's declared details apart (HR asks for them
 * as an optional extra: not having declared any is not "missing"), and those it cannot.
 */
function partsOf(model) {
  const declaredIds = new Set(model.request.dcql_query.credentials
    .filter((c) => (c.meta?.vct_values ?? []).some(isSelfDeclared)).map((c) => c.id));
  const available = model.queries.filter((q) => q.requested && q.matches.length > 0);
  return {
    records: available.filter((q) => !declaredIds.has(q.id)),
    declared: available.find((q) => declaredIds.has(q.id)) ?? null,
    missing: model.queries.filter((q) => (!q.requested || q.matches.length === 0) && !declaredIds.has(q.id)),
  };
}

/** The declared details the person may leave out (each one, with its label and value). */
function declaredItems(q) {
  const m = q.matches[0];
  const values = claimObject(m.claims);
  return m.omittable.map((name) => ({ name, label: claimLabel(m.vct, [name]), value: detailText(name, values[name]) }));
}

/** A checkbox of the NHS pattern, with a hint. */
function checkbox({ id, value, label, hint, checked }) {
  return h('div', { class: 'nhsuk-checkboxes__item' },
    h('input', { class: 'nhsuk-checkboxes__input', id, name: 'share', type: 'checkbox', value, checked, 'aria-describedby': hint ? `${id}-hint` : null }),
    h('label', { class: 'nhsuk-label nhsuk-checkboxes__label', for: id }, label),
    hint ? h('div', { class: 'nhsuk-hint nhsuk-checkboxes__hint', id: `${id}-hint` }, hint) : null);
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
    // What the person left out: optional query ids, and declared details by name.
    consentStep(model, credentials, { declined: new Set(), omitted: new Set() });
  };

  const consentStep = (model, credentials, choice, error) => {
    const name = model.verifier.name;
    ctx.title(error ? `Error: Share with ${name}?` : `Share with ${name}?`);
    const { records, declared, missing } = partsOf(model);
    const issuerName = (iss) => ctx.issuerName(iss);
    const declaredOff = declared !== null && choice.declined.has(declared.id);
    const optional = records.some((q) => q.optional) || (declared?.optional && declaredItems(declared).length > 0);
    const leftOut = records.filter((q) => choice.declined.has(q.id)).length;
    // Declared details go only with records from employers: alone they prove nothing, and a
    // receiving trust refuses them.
    const canShare = model.satisfied && records.length > 0;

    const shareButton = button('Share', { id: 'share-button' });
    const declineButton = button('Do not share', { kind: 'secondary', id: 'decline-button' });
    const chooseButton = button('Choose what to share', { kind: 'secondary', id: 'choose-button', on: { click: () => chooseStep(model, credentials, choice) } });
    const busy = (on) => {
      for (const b of [shareButton, declineButton, chooseButton]) b.disabled = on;
    };
    shareButton.addEventListener('click', async () => {
      const decline = [...choice.declined];
      const omit = declared && !declaredOff && choice.omitted.size > 0 ? { [declared.id]: [...choice.omitted] } : {};
      busy(true);
      try {
        const key = await ctx.key();
        const answer = await respond(model, { decline, omit }, key, { credentials, store: ctx.store });
        sharedStep(model, answer);
      } catch (e) {
        busy(false);
        consentStep(model, credentials, choice, `Nothing was shared: ${e.message}`);
      }
    });
    declineButton.addEventListener('click', async () => {
      busy(true);
      try {
        await decline(model, { store: ctx.store });
        declinedStep(model);
      } catch (e) {
        busy(false);
        consentStep(model, credentials, choice, `Your answer could not be sent: ${e.message}`);
      }
    });

    const count = records.length - leftOut;
    show(
      error ? errorSummary([{ text: error }]) : null,
      heading(`Share your passport with ${name}?`),
      h('dl', { class: 'nhsuk-summary-list' },
        row('Who is asking', name),
        row('ODS code', model.verifier.ods),
        row('Checked', 'On the NHS trust list and allowed to ask for staff passports'),
        row('Why', `Pre-employment checks: ${name} uses what you share to check you meet the requirements of your new role before you start.`)),
      canShare
        ? [
          h('h2', { class: 'nhsuk-heading-m' }, `What ${name} would get`),
          h('p', { class: 'nhsuk-body' }, `${count} ${count === 1 ? 'record' : 'records'} from your passport${declared && !declaredOff ? ', and details you declared yourself' : ''}. Everything that would leave this device is listed here.`),
          h('p', { class: 'nhsuk-body' }, SENT_WITH_EVERY_RECORD),
          leftOut > 0 ? inset(h('p', {}, `You chose to leave out ${leftOut} ${leftOut === 1 ? 'record' : 'records'}. ${name} will see ${leftOut === 1 ? 'it' : 'them'} as not shared.`)) : null,
          records.map((q) => recordBlock(q, { off: choice.declined.has(q.id), issuerName })),
          declared ? declaredBlock(declared, { name, omitted: choice.omitted, off: declaredOff }) : null,
        ]
        : inset(h('p', {}, `Your passport does not have what ${name} needs, so you cannot share. Tell them you said no, and speak to their HR team.`)),
      missing.length > 0 ? [
        h('h2', { class: 'nhsuk-heading-m' }, 'Asked for, but not in your passport'),
        h('p', { class: 'nhsuk-body' }, 'These will show as missing. The new employer will check them another way.'),
        h('ul', { class: 'nhsuk-list nhsuk-list--bullet' }, missing.map((q) => h('li', {}, queryLabel(q.id)))),
      ] : null,
      canShare && optional ? h('p', { class: 'nhsuk-body' }, 'To leave something out, choose what to share.') : null,
      h('div', { class: 'app-button-group' },
        canShare ? shareButton : null,
        canShare && optional ? chooseButton : null,
        declineButton));
    if (error) focus('.nhsuk-error-summary');
    else ctx.focusHeading();
  };

  const chooseStep = (model, credentials, choice, error) => {
    const name = model.verifier.name;
    ctx.title(error ? `Error: Choose what to share with ${name}` : `Choose what to share with ${name}`);
    const { records, declared } = partsOf(model);
    const optional = records.filter((q) => q.optional);
    const needed = records.filter((q) => !q.optional);
    const details = declared ? declaredItems(declared) : [];
    const declaredOff = declared !== null && choice.declined.has(declared.id);
    const recordLabel = (q) => {
      const matches = q.multiple ? q.matches : q.matches.slice(0, 1);
      return matches.length === 1 ? title(matches[0].vct, claimObject(matches[0].claims)) : `These ${matches.length} records: ${typeName(matches[0].vct)}`;
    };
    // One group of checkboxes per organisation that issued them, in the order asked.
    const issuers = [...new Set(optional.map((q) => q.matches[0].issuer))];
    const form = h('form', { novalidate: true, on: { submit: (ev) => { ev.preventDefault(); done(); } } },
      issuers.map((iss) => h('div', { class: 'nhsuk-form-group' },
        h('fieldset', { class: 'nhsuk-fieldset' },
          h('legend', { class: 'nhsuk-fieldset__legend nhsuk-fieldset__legend--m' }, h('h2', { class: 'nhsuk-fieldset__heading' }, `From ${ctx.issuerName(iss)}`)),
          h('div', { class: 'nhsuk-checkboxes' }, optional.filter((q) => q.matches[0].issuer === iss).map((q) => {
            const label = recordLabel(q);
            const type = typeName(q.matches[0].vct);
            return checkbox({
              id: `share-${q.id}`, value: q.id, label, checked: !choice.declined.has(q.id),
              hint: label === type || label.startsWith('These ') ? null : type,
            });
          }))))),
      needed.length > 0 ? [
        h('p', { class: 'nhsuk-body' }, `Needed to answer, so always shared: ${needed.map(recordLabel).join('; ')}.`),
      ] : null,
      details.length > 0 ? h('div', { class: 'nhsuk-form-group' },
        h('fieldset', { class: 'nhsuk-fieldset' },
          h('legend', { class: 'nhsuk-fieldset__legend nhsuk-fieldset__legend--m' }, h('h2', { class: 'nhsuk-fieldset__heading' }, 'Details declared by you')),
          h('div', { class: 'nhsuk-hint' }, `Optional. Nobody has checked these: ${name} sees them as declared by you.`),
          h('div', { class: 'nhsuk-checkboxes' }, details.map((d) => checkbox({
            id: `share-declared-${d.name}`, value: `declared:${d.name}`, label: `${d.label}: ${d.value}`,
            checked: !declaredOff && !choice.omitted.has(d.name),
          }))))) : null,
      button('Continue', { type: 'submit', id: 'choose-continue' }));
    const done = () => {
      const boxes = [...form.querySelectorAll('input[name=share]')];
      const declined = new Set(boxes.filter((b) => !b.checked && !b.value.startsWith('declared:')).map((b) => b.value));
      const omitted = new Set(boxes.filter((b) => !b.checked && b.value.startsWith('declared:')).map((b) => b.value.slice('declared:'.length)));
      if (declared && details.length > 0 && omitted.size === details.length) {
        declined.add(declared.id);
        omitted.clear();
      }
      if (records.every((q) => declined.has(q.id))) {
        const why = declared ? 'Choose at least one record from your employers (your own details are shared only with one)' : 'Choose at least one record to share';
        return chooseStep(model, credentials, { declined, omitted }, `${why}, or go back and choose Do not share`);
      }
      consentStep(model, credentials, { declined, omitted });
    };
    show(
      error ? errorSummary([{ text: error, field: optional.length ? `share-${optional[0].id}` : null }]) : null,
      heading(`Choose what to share with ${name}`),
      h('p', { class: 'nhsuk-body' }, `Untick anything you do not want to share. ${name} will see it as not shared. You can check everything again before you share.`),
      form);
    if (error) focus('.nhsuk-error-summary');
    else ctx.focusHeading();
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
