// The wallet app: starts the store, loads the deployment's configuration and trust list,
// routes between screens (`#/`, `#/receive`, `#/share`, `#/history`, `#/access-log`,
// `#/details`) and renders
// the passport. Opening `/wallet/?offer=<link>` or `/wallet/?request=<link>` (same-device
// links) goes straight to receiving or sharing.

import { indexedDbStore, deviceKey } from './core/store.js';
import { fetchTrustList, byIssuer } from './core/trust.js';
import { read } from './core/sdjwt.js';
import { h, replace, heading, card, claimList, tag, inset } from './dom.js';
import {
  setTypeMetadata, GROUPS, groupOf, title, claimRows, typeName, trainingStatus, trainingTag,
  formatDay, distinct, slug,
} from './passport.js';
import { receiveScreen } from './receive.js';
import { shareScreen } from './share.js';
import { historyScreen } from './history.js';
import { detailsScreen } from './details.js';
import { accessLogScreen } from './accesslog.js';
import { isSelfDeclared } from './core/declare.js';

const SCREENS = {
  home: { title: 'Your passport', render: homeScreen },
  receive: { title: 'Add to your passport', render: receiveScreen },
  share: { title: 'Share your passport', render: shareScreen },
  history: { title: 'Sharing history', render: historyScreen },
  // Reached from the history screen; its navigation link stays current.
  'access-log': { title: 'Who has seen your data', render: accessLogScreen, nav: 'history' },
  details: { title: 'Your personal details', render: detailsScreen },
};

const now = () => Math.floor(Date.now() / 1000);

/** What every screen may use. */
const ctx = {
  main: null,
  store: null,
  config: null,
  /** The verified trust list, or null (offline with no usable copy). */
  trust: null,
  /** Set by the URL (`?offer=`, `?request=`) for the screen it opens. */
  pending: { offer: null, request: null },
  key: () => deviceKey(ctx.store),
  async held() {
    const out = [];
    for (const credential of await ctx.store.listCredentials()) {
      try {
        const { claims } = await read(credential.sd_jwt);
        out.push({ credential, claims });
      } catch {
        // A credential this version cannot read is kept, but not shown.
      }
    }
    return out;
  },
  /** "Royal Example Hospitals NHS Trust (RHQ)" for an issuer identifier, else its host. */
  issuerName(iss) {
    const org = ctx.trust ? byIssuer(ctx.trust, iss) : undefined;
    if (org) return `${org.name} (${org.ods_code})`;
    try {
      return new URL(iss).host;
    } catch {
      return iss;
    }
  },
  async loadTrust() {
    if (!ctx.config) throw new Error('the wallet has not loaded its configuration; check your connection');
    ctx.trust = await fetchTrustList(ctx.config.trust_list_url, ctx.config.registry_jwk, now());
    return ctx.trust;
  },
  go(screen) {
    if (location.hash === `#/${screen === 'home' ? '' : screen}`) render(false);
    else location.hash = `#/${screen === 'home' ? '' : screen}`;
  },
  /** Sets the document title for the current step of a screen. */
  title(text) {
    document.title = `${text} - NHS Staff Passport`;
  },
  /** Moves focus to the screen's heading (after a screen or step change). */
  focusHeading() {
    ctx.main.querySelector('h1')?.focus();
  },
};

function currentScreen() {
  const name = location.hash.replace(/^#\/?/, '').split('?')[0];
  return SCREENS[name] ? name : 'home';
}

let renderCount = 0;
async function render(focus = true) {
  const name = currentScreen();
  const screen = SCREENS[name];
  const mine = ++renderCount;
  ctx.title(screen.title);
  for (const link of document.querySelectorAll('.app-nav__link')) {
    if (link.dataset.screen === (screen.nav ?? name)) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  try {
    const content = await screen.render(ctx);
    if (mine !== renderCount) return;
    replace(ctx.main, content);
  } catch (e) {
    if (mine !== renderCount) return;
    replace(ctx.main, heading('Sorry, there is a problem with the wallet'), h('p', { class: 'nhsuk-body' }, String(e.message ?? e)));
  }
  if (focus) ctx.focusHeading();
}

/** The passport, grouped as people think of it. */
async function homeScreen() {
  const all = await ctx.held();
  const held = distinct(all.filter((x) => !isSelfDeclared(x.credential.vct)));
  const out = [heading('Your passport')];
  if (held.length === 0) {
    out.push(
      h('p', { class: 'nhsuk-body-l' }, 'Your passport is empty.'),
      h('p', { class: 'nhsuk-body' }, 'When you join or move, your employer\'s HR team gives you a link or QR code and a 6-digit code. Use them to add your checks, employment and training here.'),
      h('a', { class: 'nhsuk-button', href: '#/receive', draggable: 'false' }, 'Add to your passport'),
    );
    return out;
  }
  out.push(h('p', { class: 'nhsuk-body-l' }, 'Your checks, employment and training, kept on this device. Only you can share them.'));
  if (!ctx.trust) {
    out.push(inset(h('p', {}, 'You are offline or the NHS trust list could not be checked, so organisations are shown by their web address.')));
  }
  for (const group of [...GROUPS, { key: 'other', title: 'Other credentials' }]) {
    const items = held.filter((x) => groupOf(x.credential.vct) === group.key);
    if (items.length === 0) continue;
    const section = h('section', { class: 'nhsuk-u-margin-bottom-6', 'aria-labelledby': `group-${group.key}` },
      h('h2', { class: 'nhsuk-heading-m', id: `group-${group.key}` }, group.title));
    if (group.key === 'training') section.append(...trainingCards(items));
    else for (const item of sortItems(group, items)) section.append(credentialCard(item));
    out.push(section);
  }
  out.push(detailsNote(all.some((x) => isSelfDeclared(x.credential.vct))));
  return out;
}

/** Where the person's own declared details are (they are not a record from an employer). */
function detailsNote(declared) {
  return h('section', { class: 'nhsuk-u-margin-bottom-6', 'aria-labelledby': 'group-declared' },
    h('h2', { class: 'nhsuk-heading-m', id: 'group-declared' }, 'Your personal details'),
    h('p', { class: 'nhsuk-body' }, declared
      ? 'You have declared your own details. You can share them with a new employer; they see them as declared by you, not checked.'
      : 'Add your preferred name, contact details, address, emergency contacts and National Insurance number once, so a new employer\'s forms are filled in for you.'),
    h('p', { class: 'nhsuk-body' }, h('a', { href: '#/details' }, declared ? 'See or change your personal details' : 'Add your personal details')));
}

function sortItems(group, items) {
  if (!group.types) return items;
  const order = (x) => group.types.indexOf(slug(x.credential.vct));
  const start = (x) => x.claims.startDate ?? x.claims.programmeStartDate ?? '';
  return [...items].sort((a, b) => order(a) - order(b) || String(start(b)).localeCompare(String(start(a))));
}

/** "Identity check. From ..." (the type is left out when it is the title). */
export function provenance(vct, heading, issuer) {
  const type = typeName(vct);
  return `${heading === type ? '' : `${type}. `}From ${ctx.issuerName(issuer)}`;
}

function credentialCard({ credential, claims }) {
  const heading = title(credential.vct, claims);
  return card(heading, 3,
    h('p', { class: 'nhsuk-body-s app-card-meta' }, provenance(credential.vct, heading, credential.issuer)),
    claimList(claimRows(credential.vct, claims)));
}

/** Core skills training as one list with each subject's state; other skills as cards. */
function trainingCards(items) {
  const cstf = items.filter((x) => slug(x.credential.vct) === 'core-skills-training')
    .sort((a, b) => String(a.claims.subjectName).localeCompare(String(b.claims.subjectName)));
  const out = [];
  if (cstf.length > 0) {
    const counts = { expired: 0, expiring: 0 };
    const list = h('ul', { class: 'app-training' });
    const oneIssuer = new Set(cstf.map((x) => x.credential.issuer)).size === 1;
    for (const { credential, claims } of cstf) {
      const status = trainingStatus(claims);
      if (status.state in counts) counts[status.state] += 1;
      const t = trainingTag(status);
      const dates = [];
      if (status.awarded) dates.push(`Awarded ${formatDay(status.awarded)}`);
      if (status.due) dates.push(`${status.state === 'expired' ? 'Expired' : 'Renew by'} ${formatDay(status.due)}`);
      list.append(h('li', { class: 'app-training__item' },
        h('span', { class: 'app-training__name' }, title(credential.vct, claims)),
        tag(t.text, t.colour),
        h('span', { class: 'app-training__dates' }, dates.join('. ')),
        oneIssuer ? null : h('span', { class: 'nhsuk-body-s app-card-meta' }, `From ${ctx.issuerName(credential.issuer)}`)));
    }
    const summary = [];
    if (counts.expired) summary.push(`${counts.expired} expired`);
    if (counts.expiring) summary.push(`${counts.expiring} expiring within 60 days`);
    out.push(card('Core skills training (CSTF)', 3,
      h('p', { class: 'nhsuk-body' }, `${cstf.length} subjects${summary.length ? `: ${summary.join(', ')}` : ', all in date'}. A new employer may use its own renewal periods.`),
      oneIssuer ? h('p', { class: 'nhsuk-body-s app-card-meta' }, `From ${ctx.issuerName(cstf[0].credential.issuer)}`) : null,
      list));
  }
  for (const item of items.filter((x) => slug(x.credential.vct) !== 'core-skills-training')) out.push(credentialCard(item));
  return out;
}

/** A failure no screen caught: said on the page, never silently swallowed. */
function showUnexpected(error) {
  const message = String(error?.message ?? error);
  let box = document.getElementById('app-unexpected');
  if (!box) {
    box = h('div', { class: 'nhsuk-error-summary', id: 'app-unexpected', role: 'alert' });
    ctx.main.prepend(box);
  }
  replace(box, h('h2', { class: 'nhsuk-error-summary__title' }, 'Sorry, something went wrong'),
    h('p', { class: 'nhsuk-body' }, message));
}

async function start() {
  ctx.main = document.getElementById('maincontent');
  window.addEventListener('error', (e) => showUnexpected(e.error ?? e.message));
  window.addEventListener('unhandledrejection', (e) => showUnexpected(e.reason));
  const params = new URLSearchParams(location.search);
  let first = null;
  if (params.get('offer')) {
    ctx.pending.offer = params.get('offer');
    first = 'receive';
  } else if (params.get('request')) {
    ctx.pending.request = params.get('request');
    first = 'share';
  }
  if (first) {
    // The link is used once: keep it out of the address bar and history.
    history.replaceState(null, '', `${location.pathname}#/${first}`);
  }
  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('sw.js', { scope: './' }).catch(() => { /* the wallet works without it, online */ });
  }
  try {
    ctx.store = await indexedDbStore();
  } catch (e) {
    replace(ctx.main, heading('Sorry, this browser cannot keep your passport'),
      h('p', { class: 'nhsuk-body' }, 'The wallet needs this browser\'s storage (IndexedDB). It may be turned off in a private window.'),
      h('p', { class: 'nhsuk-body-s' }, String(e.message ?? e)));
    return;
  }
  try {
    const response = await fetch('config.json', { headers: { accept: 'application/json' } });
    if (response.ok) {
      ctx.config = await response.json();
      setTypeMetadata(ctx.config.type_metadata);
    }
  } catch { /* offline: labels fall back to readable claim names */ }
  try {
    await ctx.loadTrust();
  } catch { /* offline or expired: names fall back to web addresses; sharing retries */ }
  window.addEventListener('hashchange', () => render(true));
  // Choosing the screen already open starts it again (a second offer after the first).
  for (const link of document.querySelectorAll('.app-nav__link')) {
    link.addEventListener('click', (ev) => {
      if (link.getAttribute('href') === (location.hash || '#/')) {
        ev.preventDefault();
        render(true);
      }
    });
  }
  await render(Boolean(first));
  document.body.dataset.ready = 'true';
}

start();
