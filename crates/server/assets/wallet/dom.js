// Building the page without innerHTML: every element by createElement, every text by a text
// node, so nothing received from an issuer or verifier can ever become markup.

/**
 * An element: `h('p', {class: 'nhsuk-body'}, 'text', child, [more], null)`.
 * Attributes are set with setAttribute (`on*` names are refused: use `onClick`-style options
 * via the `on` attribute object instead); children may be strings, nodes, arrays or null.
 * @param {string} tag
 * @param {Record<string, any>} [attrs] `on: {click: fn}` adds listeners; `false`/null skip
 * @param {...any} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (name === 'on') {
      for (const [event, fn] of Object.entries(value ?? {})) el.addEventListener(event, fn);
    } else if (/^on/i.test(name)) {
      throw new Error(`h: use the on option for ${name}`);
    } else if (value === true) {
      el.setAttribute(name, '');
    } else if (value !== false && value !== null && value !== undefined) {
      el.setAttribute(name, String(value));
    }
  }
  append(el, children);
  return el;
}

/** Appends strings (as text), nodes and (nested) arrays of them; null and undefined skip. */
export function append(parent, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(parent, c);
    else if (c instanceof Node) parent.appendChild(c);
    else parent.appendChild(document.createTextNode(String(c)));
  }
  return parent;
}

/** Replaces every child of `parent`. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** The page's h1; focus lands here when a screen opens (tabindex -1). */
export function heading(text, caption) {
  return h('h1', { class: 'nhsuk-heading-l', tabindex: '-1' },
    caption ? h('span', { class: 'nhsuk-caption-l' }, caption, h('span', { class: 'nhsuk-u-visually-hidden' }, ' - ')) : null,
    text);
}

/**
 * The NHS error summary, focused by the caller; each error links to its field. Following a
 * link moves focus to the field itself (as nhsuk-frontend's script does) instead of changing
 * the address: the wallet routes by the address's fragment.
 * @param {{text: string, field?: string}[]} errors
 */
export function errorSummary(errors, title = 'There is a problem') {
  const toField = (id) => (ev) => {
    const target = document.getElementById(id);
    if (!target) return;
    ev.preventDefault();
    target.scrollIntoView({ block: 'center' });
    target.focus();
  };
  return h('div', { class: 'nhsuk-error-summary', tabindex: '-1', role: 'alert', 'aria-labelledby': 'error-summary-title' },
    h('h2', { class: 'nhsuk-error-summary__title', id: 'error-summary-title' }, title),
    h('div', { class: 'nhsuk-error-summary__body' },
      h('ul', { class: 'nhsuk-list nhsuk-error-summary__list' },
        errors.map((e) => h('li', {}, e.field ? h('a', { href: `#${e.field}`, on: { click: toField(e.field) } }, e.text) : e.text)))));
}

/** An NHS tag: `colour` one of green, yellow, red, blue, grey, white, orange. */
export function tag(text, colour) {
  return h('strong', { class: `nhsuk-tag${colour ? ` nhsuk-tag--${colour}` : ''}` }, text);
}

/** An inset text paragraph. */
export function inset(...children) {
  return h('div', { class: 'nhsuk-inset-text' }, h('span', { class: 'nhsuk-u-visually-hidden' }, 'Information: '), children);
}

/** A card with a heading (level `level`) and body children. */
export function card(title, level, ...children) {
  return h('div', { class: 'nhsuk-card' },
    h('div', { class: 'nhsuk-card__content' },
      h(`h${level}`, { class: 'nhsuk-card__heading nhsuk-heading-m' }, title),
      children));
}

/**
 * A list of labelled values (label above value: readable at 320 px).
 * @param {{label: string, value: string}[]} rows
 */
export function claimList(rows) {
  return h('dl', { class: 'app-claims' },
    rows.map((r) => h('div', { class: 'app-claims__row' }, h('dt', {}, r.label), h('dd', {}, r.value))));
}

/** A primary (or `secondary`/`reverse`) button. */
export function button(text, { kind, type = 'button', id, on } = {}) {
  return h('button', { class: `nhsuk-button${kind ? ` nhsuk-button--${kind}` : ''}`, type, id, 'data-module': 'nhsuk-button', on }, text);
}
