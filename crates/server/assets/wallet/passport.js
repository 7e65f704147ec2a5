// What the passport means to the person: credential types grouped as people think of them,
// claims under their human labels (from the SD-JWT VC Type Metadata the server publishes for
// each vct), dates in words, and the state of each training subject.

/** Claims about the credential itself, not the person: never shown as passport content. */
export const TECHNICAL = new Set(['iss', 'iat', 'nbf', 'exp', 'cnf', 'status', 'vct', 'vct#integrity', '_sd_alg', 'sub', 'recordType']);

/** Training renews within this many days: "expires soon". */
export const EXPIRING_SOON_DAYS = 60;

let typeMetadata = {};

/** Sets the Type Metadata by vct (from `/wallet/config.json`). */
export function setTypeMetadata(map) {
  typeMetadata = map && typeof map === 'object' ? map : {};
}

/** The last path segment before the version: `.../vct/core-skills-training/v1` -> `core-skills-training`. */
export function slug(vct) {
  const parts = String(vct).split('/').filter(Boolean);
  return parts.length >= 2 ? parts[parts.length - 2] : String(vct);
}

/** `dateLastAwarded` -> "Date last awarded"; `core-skills-training` -> "Core skills training". */
export function readable(name) {
  const words = String(name)
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The credential type's name for people ("Core skills training"). */
export function typeName(vct) {
  const m = typeMetadata[vct];
  return m?.display?.find((d) => d.locale?.startsWith('en'))?.name ?? m?.name ?? readable(slug(vct));
}

/** The claim's label from the Type Metadata, else a readable form of its name. */
export function claimLabel(vct, path) {
  const claims = typeMetadata[vct]?.claims ?? [];
  const names = path.filter((p) => typeof p === 'string');
  const entry = claims.find((c) => Array.isArray(c.path) && c.path.length === names.length && c.path.every((p, i) => p === names[i]));
  const label = entry?.display?.find((d) => d.locale?.startsWith('en'))?.label;
  return label ?? readable(names[names.length - 1] ?? 'value');
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** `2024-03-07` -> "7 March 2024"; other text unchanged. */
export function formatDate(text) {
  const month = /^(\d{4})-(\d{2})$/.exec(String(text));
  if (month && MONTHS[Number(month[2]) - 1]) return `${MONTHS[Number(month[2]) - 1]} ${month[1]}`;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(text));
  if (!m) return String(text);
  return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1] ?? m[2]} ${m[1]}`;
}

/** A Date (UTC day) in words. */
export function formatDay(date) {
  return formatDate(date.toISOString().slice(0, 10));
}

/** Unix seconds -> "7 March 2024 at 14:05" (local time). */
export function formatTime(seconds) {
  const d = new Date(seconds * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getDate()} ${MONTHS[d.getMonth()]} ${d.getFullYear()} at ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Where a top-level claim comes in its type's list of claims (unknown ones last). */
export function claimRank(vct, name) {
  const order = (typeMetadata[vct]?.claims ?? []).filter((c) => c.path?.length === 1).map((c) => c.path[0]);
  return order.includes(name) ? order.indexOf(name) : order.length;
}

/** A claim value in words. */
export function formatValue(value) {
  if (value === true) return 'Yes';
  if (value === false) return 'No';
  if (value === null || value === undefined || value === '') return 'Blank';
  if (Array.isArray(value)) return value.map(formatValue).join(', ');
  if (typeof value === 'object') return Object.entries(value).map(([k, v]) => `${readable(k)}: ${formatValue(v)}`).join('; ');
  return formatDate(value);
}

/**
 * The person's claims as labelled rows, in the credential's order, technical claims left out;
 * nested objects become one row per member ("Assessed by: Assessor name").
 * @param {string} vct
 * @param {Record<string, any>} claims processed claims
 * @returns {{label: string, value: string}[]}
 */
export function claimRows(vct, claims) {
  const rows = [];
  // In the order the type lists its claims (the schema's: names before dates before detail).
  const entries = Object.entries(claims).sort(([a], [b]) => claimRank(vct, a) - claimRank(vct, b));
  for (const [name, value] of entries) {
    if (TECHNICAL.has(name) || value === '') continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [inner, v] of Object.entries(value)) {
        rows.push({ label: `${claimLabel(vct, [name])}: ${claimLabel(vct, [name, inner])}`, value: formatValue(v) });
      }
    } else {
      rows.push({ label: claimLabel(vct, [name]), value: formatValue(value) });
    }
  }
  return rows;
}

/** The groups of the home screen, in order, and which types belong to each. */
export const GROUPS = [
  { key: 'checks', title: 'Identity and checks', types: ['identity', 'right-to-work', 'dbs-check-outcome', 'professional-registration'] },
  { key: 'employment', title: 'Employment', types: ['employment', 'reference'] },
  { key: 'training', title: 'Training', types: ['core-skills-training', 'skill'] },
  { key: 'oh', title: 'Occupational health clearance', types: ['occupational-health-clearance', 'vaccination', 'clinical-test', 'observation'] },
  { key: 'doctor', title: 'Training programme and placements', types: ['training-programme', 'training-placement'] },
];

/** The group key of a vct (`other` for types this wallet does not know). */
export function groupOf(vct) {
  const s = slug(vct);
  return GROUPS.find((g) => g.types.includes(s))?.key ?? 'other';
}

/** A short title for one credential: the assignment, the subject, the placement... */
export function title(vct, claims) {
  const s = slug(vct);
  const join = (...parts) => parts.filter((p) => p !== undefined && p !== null && p !== '').join(', ');
  switch (s) {
    case 'employment': return join(claims.positionTitle ?? claims.jobRole, claims.organisationName) || typeName(vct);
    case 'core-skills-training': return join(claims.subjectName, claims.subjectLevel ? `level ${claims.subjectLevel}` : null) || typeName(vct);
    case 'skill': return claims.skillName ?? typeName(vct);
    case 'training-placement': return join(claims.specialty, claims.grade, claims.siteName) || typeName(vct);
    case 'training-programme': return claims.programmeName ?? typeName(vct);
    case 'professional-registration': return join(claims.professionalBody, claims.registrationNumber) || typeName(vct);
    case 'dbs-check-outcome': return claims.typeOfDbsCheck ? `DBS: ${claims.typeOfDbsCheck}` : typeName(vct);
    default: return typeName(vct);
  }
}

/** `date` plus `n` units (years, months, weeks or days), in UTC. */
function addPeriod(date, n, units) {
  const d = new Date(date.getTime());
  const u = String(units).toLowerCase();
  if (u.startsWith('year')) d.setUTCFullYear(d.getUTCFullYear() + n);
  else if (u.startsWith('month')) d.setUTCMonth(d.getUTCMonth() + n);
  else if (u.startsWith('week')) d.setUTCDate(d.getUTCDate() + 7 * n);
  else if (u.startsWith('day')) d.setUTCDate(d.getUTCDate() + n);
  else return null;
  return d;
}

function parseDay(text) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(String(text))) return null;
  const d = new Date(`${text}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/**
 * The state of a training record: renewal due = date last awarded + the renewal period the
 * credential states (else its expiry date). `expired` on or after that day; `expiring` within
 * {@link EXPIRING_SOON_DAYS}; `in-date` otherwise; `unknown` without dates.
 * @param {Record<string, any>} claims
 * @param {Date} [today]
 * @returns {{state: 'in-date'|'expiring'|'expired'|'unknown', awarded: Date|null, due: Date|null, days: number|null}}
 */
export function trainingStatus(claims, today = new Date()) {
  const awarded = parseDay(claims.dateLastAwarded ?? claims.assessmentDate);
  const n = Number.parseInt(claims.renewalPeriodNumber, 10);
  let due = awarded && Number.isFinite(n) && claims.renewalPeriodUnits ? addPeriod(awarded, n, claims.renewalPeriodUnits) : null;
  due ??= parseDay(claims.dateTo ?? claims.expiryDate);
  if (!due) return { state: 'unknown', awarded, due: null, days: null };
  const day = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate());
  const days = Math.round((due.getTime() - day) / 86400000);
  const state = days <= 0 ? 'expired' : days < EXPIRING_SOON_DAYS ? 'expiring' : 'in-date';
  return { state, awarded, due, days };
}

/** The tag text and colour of a training state. */
export function trainingTag(status) {
  switch (status.state) {
    case 'expired': return { text: 'Expired', colour: 'red' };
    case 'expiring': return { text: 'Expires soon', colour: 'yellow' };
    case 'in-date': return { text: 'In date', colour: 'green' };
    default: return { text: 'No renewal date', colour: 'grey' };
  }
}

/**
 * One entry per distinct credential: a type, issuer and the same person claims received twice
 * (a new offer after a lost phone) is shown once, the newest kept.
 * @param {{credential: {vct: string, issuer: string, received_at: number}, claims: object}[]} held
 */
export function distinct(held) {
  const byKey = new Map();
  for (const item of held) {
    const own = Object.fromEntries(Object.entries(item.claims).filter(([k]) => !TECHNICAL.has(k)));
    const key = `${item.credential.vct}\n${item.credential.issuer}\n${JSON.stringify(own)}`;
    const seen = byKey.get(key);
    if (!seen || seen.credential.received_at <= item.credential.received_at) byKey.set(key, item);
  }
  return [...byKey.values()];
}
