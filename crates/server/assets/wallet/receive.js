// Receiving credentials: an `openid-credential-offer://` link (pasted, scanned, or opened as
// `?offer=`), the transaction code HR gave separately, then what arrived.

import { resolveOffer, receive, parseOfferLink } from './core/oid4vci.js';
import { read } from './core/sdjwt.js';
import { ServerError } from './core/http.js';
import { h, heading, errorSummary, button, replace } from './dom.js';
import { typeName, title, groupOf, GROUPS } from './passport.js';

/** A QR scanner (BarcodeDetector) when the browser has one; `onText` gets the first code read. */
export function scanner(onText, label) {
  if (!('BarcodeDetector' in window) || !navigator.mediaDevices?.getUserMedia) return null;
  const area = h('div', { class: 'app-scanner', 'aria-live': 'polite' });
  let stream = null;
  const stop = () => {
    stream?.getTracks().forEach((t) => t.stop());
    stream = null;
    replace(area, start);
  };
  const start = button(label, {
    kind: 'secondary',
    on: {
      click: async () => {
        try {
          const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
          stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
          const video = h('video', { muted: true, playsinline: true, 'aria-label': 'Camera view' });
          video.srcObject = stream;
          replace(area, h('p', { class: 'nhsuk-body' }, 'Point your camera at the QR code.'), video, button('Stop scanning', { kind: 'secondary', on: { click: stop } }));
          await video.play();
          const tick = async () => {
            if (!stream) return;
            try {
              const codes = await detector.detect(video);
              if (codes.length > 0) {
                const text = codes[0].rawValue;
                stop();
                onText(text);
                return;
              }
            } catch { /* a frame that cannot be read: try the next */ }
            setTimeout(tick, 250);
          };
          tick();
        } catch {
          replace(area, h('p', { class: 'nhsuk-body' }, 'The camera could not be used. Paste the link instead.'), start);
        }
      },
    },
  });
  area.append(start);
  return area;
}

/** A text field with label, hint and error, NHS markup. */
export function field({ id, label, hint, error, value = '', textarea = false, attrs = {} }) {
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || null;
  const { class: extra, ...rest } = attrs;
  const base = textarea ? 'nhsuk-textarea' : 'nhsuk-input';
  const input = h(textarea ? 'textarea' : 'input', {
    class: [base, extra, error ? `${base}--error` : null].filter(Boolean).join(' '),
    id, name: id, 'aria-describedby': described, ...rest,
  });
  input.value = value;
  return h('div', { class: `nhsuk-form-group${error ? ' nhsuk-form-group--error' : ''}` },
    h('label', { class: 'nhsuk-label nhsuk-label--s', for: id }, label),
    hint ? h('div', { class: 'nhsuk-hint', id: `${id}-hint` }, hint) : null,
    error ? h('span', { class: 'nhsuk-error-message', id: `${id}-error` }, h('span', { class: 'nhsuk-u-visually-hidden' }, 'Error: '), error) : null,
    input);
}

/** A message people can act on, for a failure to receive. */
function receiveError(e) {
  if (e instanceof ServerError) {
    if (e.step === 'token' && (e.code === 'invalid_grant' || e.status === 400)) {
      return 'The code is not right, or this offer has been used or has expired. Check the code and try again. After 5 wrong tries the offer stops working: ask HR for a new one.';
    }
    if (e.step === 'offer') return 'This offer has been used or has expired. Ask HR for a new one.';
    return `The organisation's service refused the request (${e.message}). Try again later or ask HR.`;
  }
  if (e instanceof TypeError) return 'The organisation\'s service could not be reached. Check your connection and try again.';
  return `Your passport could not be updated: ${e.message}`;
}

/**
 * The receive screen.
 * @param {object} ctx the app context (app.js)
 */
export async function receiveScreen(ctx) {
  const root = h('div', {});
  const show = (...children) => {
    replace(root, ...children);
  };
  const focus = (selector) => root.querySelector(selector)?.focus();

  const linkStep = (error, value = '') => {
    ctx.title(error ? 'Error: Add to your passport' : 'Add to your passport');
    const form = h('form', { novalidate: true, on: { submit: (ev) => { ev.preventDefault(); openLink(form.elements.offer.value.trim()); } } },
      field({
        id: 'offer', label: 'Link from HR', textarea: true, value, error,
        hint: 'Paste the link HR sent you. It starts with openid-credential-offer://',
        attrs: { rows: '4', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'none', class: 'app-link-input' },
      }),
      button('Continue', { type: 'submit' }));
    const scan = scanner((text) => openLink(text), 'Scan the QR code');
    show(
      error ? errorSummary([{ text: error, field: 'offer' }]) : null,
      heading('Add to your passport'),
      h('p', { class: 'nhsuk-body' }, 'HR at your employer gives you a link or QR code, and a 6-digit code separately. You need both.'),
      scan, form);
    if (error) focus('.nhsuk-error-summary');
  };

  const openLink = async (link) => {
    if (!link) return linkStep('Paste the link HR sent you');
    try {
      parseOfferLink(link);
    } catch {
      return linkStep('This is not a link to add to your passport. It should start with openid-credential-offer://', link);
    }
    show(heading('Add to your passport'), h('p', { class: 'nhsuk-body', role: 'status' }, 'Checking the offer...'));
    try {
      const offer = await resolveOffer(link);
      codeStep(link, offer);
    } catch (e) {
      linkStep(receiveError(e), link);
    }
  };

  const codeStep = (link, offer, error, value = '') => {
    const length = offer.txCode?.length;
    const from = ctx.issuerName(offer.issuer);
    ctx.title(error ? 'Error: Enter your code' : 'Enter your code');
    const form = h('form', { novalidate: true, on: { submit: (ev) => { ev.preventDefault(); submitCode(link, offer, form.elements.txcode?.value.trim() ?? null); } } },
      offer.txCode ? field({
        id: 'txcode', label: 'Your code', value, error,
        hint: `The ${length ? `${length}-digit ` : ''}code HR gave you. It is not in the link.`,
        attrs: { inputmode: (offer.txCode.input_mode ?? 'numeric') === 'numeric' ? 'numeric' : 'text', autocomplete: 'one-time-code', spellcheck: 'false', class: 'nhsuk-input--width-10' },
      }) : null,
      button('Add to my passport', { type: 'submit' }));
    show(
      error ? errorSummary([{ text: error, field: 'txcode' }]) : null,
      heading('Enter your code', 'Add to your passport'),
      h('dl', { class: 'nhsuk-summary-list' },
        h('div', { class: 'nhsuk-summary-list__row' },
          h('dt', { class: 'nhsuk-summary-list__key' }, 'From'),
          h('dd', { class: 'nhsuk-summary-list__value' }, from)),
        h('div', { class: 'nhsuk-summary-list__row' },
          h('dt', { class: 'nhsuk-summary-list__key' }, 'Offered'),
          h('dd', { class: 'nhsuk-summary-list__value' }, offer.offer.credential_configuration_ids.map(readableConfig).join(', ')))),
      form);
    if (error) focus('.nhsuk-error-summary');
  };

  const submitCode = async (link, offer, code) => {
    const spec = offer.txCode;
    if (spec) {
      if (!code) return codeStep(link, offer, 'Enter the code HR gave you', code ?? '');
      if ((spec.input_mode ?? 'numeric') === 'numeric' && !/^\d+$/.test(code)) return codeStep(link, offer, 'The code must only include numbers 0 to 9', code);
      if (spec.length && code.length !== spec.length) return codeStep(link, offer, `The code must be ${spec.length} digits`, code);
    }
    show(heading('Adding to your passport'), h('p', { class: 'nhsuk-body', role: 'status' }, 'Receiving your credentials. This can take a few seconds.'));
    ctx.focusHeading();
    try {
      const key = await ctx.key();
      const received = await receive(link, spec ? code : null, { key, store: ctx.store });
      await doneStep(received, offer);
    } catch (e) {
      codeStep(link, offer, receiveError(e), code ?? '');
    }
  };

  const doneStep = async (received, offer) => {
    ctx.title('Added to your passport');
    const items = [];
    for (const c of received) {
      try {
        const { claims } = await read(c.sd_jwt);
        items.push({ vct: c.vct, label: title(c.vct, claims), group: groupOf(c.vct) });
      } catch {
        items.push({ vct: c.vct, label: typeName(c.vct), group: groupOf(c.vct) });
      }
    }
    const groups = [...GROUPS, { key: 'other', title: 'Other' }]
      .map((g) => ({ ...g, items: items.filter((i) => i.group === g.key) }))
      .filter((g) => g.items.length > 0);
    show(
      h('div', { class: 'nhsuk-panel' },
        h('h1', { class: 'nhsuk-panel__title', tabindex: '-1' }, 'Added to your passport'),
        h('div', { class: 'nhsuk-panel__body' }, `${received.length} ${received.length === 1 ? 'credential' : 'credentials'} from ${ctx.issuerName(offer.issuer)}`)),
      h('h2', { class: 'nhsuk-heading-m' }, 'What arrived'),
      groups.map((g) => [
        h('h3', { class: 'nhsuk-heading-s' }, g.title),
        h('ul', { class: 'nhsuk-list nhsuk-list--bullet', id: `arrived-${g.key}` }, g.items.map((i) => h('li', {}, i.label))),
      ]),
      h('a', { class: 'nhsuk-button', href: '#/', draggable: 'false' }, 'View your passport'));
    ctx.focusHeading();
  };

  if (ctx.pending.offer) {
    const link = ctx.pending.offer;
    ctx.pending.offer = null;
    show(heading('Add to your passport'), h('p', { class: 'nhsuk-body', role: 'status' }, 'Checking the offer...'));
    openLink(link);
  } else {
    linkStep();
  }
  return root;
}

/** `CoreSkillsTraining` -> "Core skills training"; `DBSCheckOutcome` -> "DBS check outcome". */
function readableConfig(id) {
  const words = String(id).match(/[A-Z]{2,}(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? [String(id)];
  const text = words.map((w) => (/^[A-Z]{2,}$/.test(w) ? w : w.toLowerCase())).join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
