// The person's own details, entered once: preferred name, contact details, home address,
// emergency contacts and National Insurance number. A form in the NHS pattern (a label and
// hint per field, an error summary linking to each field in error); saved as the wallet's own
// signed credential (core/declare.js), made afresh whenever the details change, and shared
// with consent like any record, so a new employer's forms are filled in for them.

import { declared, saveDeclaration, detailText, PATTERNS } from './core/declare.js';
import { h, heading, errorSummary, button, replace, inset, claimList } from './dom.js';
import { field } from './receive.js';

const PHONE_HINT = 'For international numbers include the country code, like +44 7700 900 982.';
const ADDRESS = ['address-line1', 'address-line2', 'address-town', 'postcode'];
const CONTACTS = [1, 2];

/** The form's values (by field id) of held details. */
export function formValues(details) {
  const v = {};
  v['preferred-name'] = details.preferredName ?? '';
  v.email = details.email ?? '';
  v.phone = details.phone ?? '';
  const lines = details.address?.lines ?? [];
  v['address-line1'] = lines[0] ?? '';
  v['address-line2'] = lines.length > 2 ? lines[1] : '';
  v['address-town'] = lines.length > 2 ? lines.slice(2).join(', ') : (lines[1] ?? '');
  v.postcode = details.address?.postcode ?? '';
  for (const n of CONTACTS) {
    const c = details.emergencyContacts?.[n - 1] ?? {};
    v[`contact${n}-name`] = c.name ?? '';
    v[`contact${n}-relationship`] = c.relationship ?? '';
    v[`contact${n}-phone`] = c.phone ?? '';
  }
  v['ni-number'] = details.nationalInsuranceNumber ?? '';
  return v;
}

/** "ls14ap" -> "LS1 4AP" (the space before the inward code). */
function postcode(text) {
  const compact = text.replace(/\s+/g, '').toUpperCase();
  return compact.length >= 5 ? `${compact.slice(0, -3)} ${compact.slice(-3)}` : compact;
}

/**
 * Reads the form: the details to declare (only what was filled in, normalised: NI number
 * without spaces in capitals, postcode in capitals with its space) and every error, each with
 * the id of its field, in the order of the form.
 * @param {Record<string, string>} values by field id
 * @returns {{details: Record<string, any>, errors: {field: string, text: string}[]}}
 */
export function readDetails(values) {
  const get = (id) => String(values[id] ?? '').trim().replace(/\s+/g, ' ');
  const details = {};
  const errors = [];
  const fail = (id, text) => errors.push({ field: id, text });
  const phoneOk = (p) => PATTERNS.phone.test(p);

  const name = get('preferred-name');
  if ([...name].length > 200) fail('preferred-name', 'Preferred name must be 200 characters or fewer');
  else if (name) details.preferredName = name;
  const email = get('email');
  if (email && (email.length > 254 || !PATTERNS.email.test(email))) fail('email', 'Enter an email address in the correct format, like name@example.com');
  else if (email) details.email = email;
  const phone = get('phone');
  if (phone && !phoneOk(phone)) fail('phone', 'Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192');
  else if (phone) details.phone = phone;

  if (ADDRESS.some((id) => get(id))) {
    const lines = [get('address-line1'), get('address-line2'), get('address-town')];
    const code = postcode(get('postcode'));
    if (!lines[0]) fail('address-line1', 'Enter address line 1, typically the building and street');
    for (const [i, id] of ['address-line1', 'address-line2', 'address-town'].entries()) {
      if ([...lines[i]].length > 200) fail(id, 'Each line of the address must be 200 characters or fewer');
    }
    if (code && !PATTERNS.postcode.test(code)) fail('postcode', 'Enter a full UK postcode, like LS1 4AP');
    const address = { lines: lines.filter(Boolean) };
    if (code) address.postcode = code;
    if (lines[0]) details.address = address;
  }

  const contacts = [];
  for (const n of CONTACTS) {
    const c = { name: get(`contact${n}-name`), relationship: get(`contact${n}-relationship`), phone: get(`contact${n}-phone`) };
    if (!c.name && !c.relationship && !c.phone) continue;
    const who = n === 1 ? 'the emergency contact' : 'the second emergency contact';
    if (!c.name) fail(`contact${n}-name`, `Enter the name of ${who}`);
    else if ([...c.name].length > 200) fail(`contact${n}-name`, 'Name must be 200 characters or fewer');
    if (!c.relationship) fail(`contact${n}-relationship`, `Enter how ${who} is related to you, like partner or friend`);
    else if ([...c.relationship].length > 100) fail(`contact${n}-relationship`, 'Relationship must be 100 characters or fewer');
    if (!c.phone) fail(`contact${n}-phone`, `Enter the phone number of ${who}`);
    else if (!phoneOk(c.phone)) fail(`contact${n}-phone`, 'Enter a phone number, like 01632 960 001 or 07700 900 982');
    contacts.push(c);
  }
  if (contacts.length > 0) details.emergencyContacts = contacts;

  const ni = get('ni-number').replace(/\s+/g, '').toUpperCase();
  if (ni && (!PATTERNS.ni.test(ni) || PATTERNS.niRefusedPrefix.test(ni))) {
    fail('ni-number', 'Enter a National Insurance number in the correct format, like QQ 12 34 56 C');
  } else if (ni) {
    details.nationalInsuranceNumber = ni;
  }
  return { details, errors };
}

/** The details as labelled rows, for reading back. */
export function detailRows(details) {
  const rows = [];
  const add = (label, name) => { if (details[name]) rows.push({ label, value: detailText(name, details[name]) }); };
  add('Preferred name', 'preferredName');
  add('Email address', 'email');
  add('Phone number', 'phone');
  add('Home address', 'address');
  for (const [i, c] of (details.emergencyContacts ?? []).entries()) {
    rows.push({ label: i === 0 ? 'Emergency contact' : 'Second emergency contact', value: detailText('emergencyContacts', [c]) });
  }
  add('National Insurance number', 'nationalInsuranceNumber');
  return rows;
}

/** The NHS success banner, announced when it appears. */
function success(text) {
  return h('div', { class: 'nhsuk-notification-banner nhsuk-notification-banner--success', role: 'alert', 'aria-labelledby': 'saved-title' },
    h('div', { class: 'nhsuk-notification-banner__header' }, h('h2', { class: 'nhsuk-notification-banner__title', id: 'saved-title' }, 'Success')),
    h('div', { class: 'nhsuk-notification-banner__content' }, h('p', { class: 'nhsuk-notification-banner__heading' }, text)));
}

/** A fieldset with a legend (size m) around `children`. */
function fieldset(legend, hint, ...children) {
  return h('fieldset', { class: 'nhsuk-fieldset nhsuk-u-margin-bottom-4' },
    h('legend', { class: 'nhsuk-fieldset__legend nhsuk-fieldset__legend--m' }, h('h2', { class: 'nhsuk-fieldset__heading' }, legend)),
    hint ? h('div', { class: 'nhsuk-hint' }, hint) : null,
    children);
}

/**
 * The personal details screen.
 * @param {object} ctx the app context (app.js)
 */
export async function detailsScreen(ctx) {
  const root = h('div', {});
  const show = (...children) => replace(root, ...children);
  const now = () => Math.floor(Date.now() / 1000);
  const explain = [
    h('p', { class: 'nhsuk-body' }, 'Details you declare yourself, kept on this device. When a new employer asks for your passport, you can share them too, so their forms are filled in for you.'),
    inset(h('p', {}, 'A new employer sees these as declared by you. Nobody has checked them.')),
  ];

  const view = (held, saved, focus = true) => {
    ctx.title('Your personal details');
    show(
      saved ? success(saved) : null,
      heading('Your personal details'),
      claimList(detailRows(held.details)),
      button('Change your details', { id: 'details-change', on: { click: () => form(held, formValues(held.details)) } }),
      explain);
    if (focus) ctx.focusHeading();
  };

  const form = (held, values, errors = [], focus = true) => {
    ctx.title(errors.length ? 'Error: Your personal details' : 'Your personal details');
    const error = (id) => errors.find((e) => e.field === id)?.text;
    const input = (id, label, hint, attrs = {}) => field({ id, label, hint, error: error(id), value: values[id] ?? '', attrs });
    const el = h('form', { novalidate: true, on: { submit: (ev) => { ev.preventDefault(); save(held, el); } } },
      input('preferred-name', 'Preferred name', 'The name you like to be called at work.', { autocomplete: 'nickname', spellcheck: 'false' }),
      input('email', 'Email address', 'Your own email address, not a work one.', { type: 'email', autocomplete: 'email', spellcheck: 'false', autocapitalize: 'none' }),
      input('phone', 'Phone number', PHONE_HINT, { type: 'tel', autocomplete: 'tel', class: 'nhsuk-input--width-20' }),
      fieldset('Home address', null,
        input('address-line1', 'Address line 1', null, { autocomplete: 'address-line1' }),
        input('address-line2', 'Address line 2 (optional)', null, { autocomplete: 'address-line2' }),
        input('address-town', 'Town or city', null, { autocomplete: 'address-level2', class: 'nhsuk-u-width-two-thirds' }),
        input('postcode', 'Postcode', null, { autocomplete: 'postal-code', class: 'nhsuk-input--width-10', spellcheck: 'false' })),
      CONTACTS.map((n) => fieldset(n === 1 ? 'Emergency contact' : 'Second emergency contact (optional)',
        n === 1 ? 'Someone to contact if something happens to you at work.' : null,
        input(`contact${n}-name`, 'Full name', null, { spellcheck: 'false' }),
        input(`contact${n}-relationship`, 'Relationship to you', 'For example, partner, parent or friend.', { class: 'nhsuk-u-width-two-thirds' }),
        input(`contact${n}-phone`, 'Phone number', null, { type: 'tel', class: 'nhsuk-input--width-20' }))),
      input('ni-number', 'National Insurance number', 'It is on your National Insurance card, benefit letter, payslip or P60. For example, QQ 12 34 56 C.', { class: 'nhsuk-input--width-10', spellcheck: 'false', autocapitalize: 'characters' }),
      h('div', { class: 'app-button-group' },
        button('Save your details', { type: 'submit', id: 'details-save' }),
        held ? button('Cancel', { kind: 'secondary', id: 'details-cancel', on: { click: () => view(held) } }) : null));
    show(
      errors.length ? errorSummary(errors) : null,
      heading('Your personal details'),
      explain,
      h('p', { class: 'nhsuk-body' }, 'Fill in only what you want to share. To remove a detail, clear it and save.'),
      el);
    if (errors.length) root.querySelector('.nhsuk-error-summary')?.focus();
    else if (focus) ctx.focusHeading();
  };

  const save = async (held, el) => {
    const values = Object.fromEntries([...el.elements].filter((e) => e.id).map((e) => [e.id, e.value]));
    const { details, errors } = readDetails(values);
    if (errors.length === 0 && Object.keys(details).length === 0 && !held) {
      errors.push({ field: 'preferred-name', text: 'Enter at least one of your details' });
    }
    if (errors.length > 0) return form(held, values, errors);
    try {
      await saveDeclaration(ctx.store, details, await ctx.key(), now());
    } catch (e) {
      return form(held, values, [{ text: `Your details could not be saved: ${e.message}` }]);
    }
    const after = await declared(ctx.store);
    if (after) return view(after, 'Your details have been saved. Share them when a new employer asks for your passport.');
    ctx.title('Your personal details');
    show(success('Your details have been removed from this device.'),
      heading('Your personal details'),
      explain,
      button('Add your details', { id: 'details-add', on: { click: () => form(null, {}) } }));
    ctx.focusHeading();
  };

  // The first render: the app moves focus to the heading once the screen is on the page.
  const held = await declared(ctx.store);
  if (held) view(held, null, false);
  else form(null, {}, [], false);
  return root;
}
