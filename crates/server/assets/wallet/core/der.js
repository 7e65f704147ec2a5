// A minimal strict DER reader (X.690 section 10): definite, minimal lengths; no trailing
// bytes. Enough to take an X.509 certificate (RFC 5280) apart for a verifier's P-256 key.

import { fromUtf8 } from './b64.js';

/** Tag numbers used here. */
export const TAG = Object.freeze({
  INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, NULL: 0x05, OID: 0x06,
  UTF8: 0x0c, PRINTABLE: 0x13, IA5: 0x16, UTC_TIME: 0x17, GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30, SET: 0x31, CONTEXT_0: 0xa0,
});

const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const OID_P256 = '1.2.840.10045.3.1.7';
const OID_ORGANIZATION = '2.5.4.10';

/**
 * One DER element: its tag, its content, and the bytes of the whole element.
 * @typedef {{tag: number, content: Uint8Array, der: Uint8Array}} Element
 */

/**
 * Reads one element at `offset` of `bytes`.
 * @param {Uint8Array} bytes
 * @param {number} [offset]
 * @returns {{element: Element, next: number}}
 * @throws {Error} on a multi-byte tag, an indefinite or non-minimal length, or truncation
 */
export function readElement(bytes, offset = 0) {
  if (offset + 2 > bytes.length) throw new Error('DER: truncated');
  const tag = bytes[offset];
  if ((tag & 0x1f) === 0x1f) throw new Error('DER: multi-byte tags are not supported');
  let length = bytes[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0) throw new Error('DER: indefinite length');
    if (n > 4) throw new Error('DER: length too large');
    if (start + n > bytes.length) throw new Error('DER: truncated length');
    if (bytes[start] === 0) throw new Error('DER: non-minimal length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + bytes[start + i];
    if (length < 128) throw new Error('DER: non-minimal length');
    start += n;
  }
  const end = start + length;
  if (end > bytes.length) throw new Error('DER: truncated content');
  return {
    element: { tag, content: bytes.subarray(start, end), der: bytes.subarray(offset, end) },
    next: end,
  };
}

/**
 * Reads exactly one element filling all of `bytes`, with the expected tag.
 * @param {Uint8Array} bytes
 * @param {number} [tag]
 * @returns {Element}
 */
export function readOne(bytes, tag) {
  const { element, next } = readElement(bytes, 0);
  if (next !== bytes.length) throw new Error('DER: trailing bytes');
  if (tag !== undefined && element.tag !== tag) throw new Error(`DER: expected tag ${tag}, got ${element.tag}`);
  return element;
}

/**
 * The elements inside a constructed element's content.
 * @param {Element} element
 * @returns {Element[]}
 */
export function children(element) {
  if (!(element.tag & 0x20)) throw new Error('DER: not a constructed element');
  const out = [];
  let offset = 0;
  while (offset < element.content.length) {
    const { element: child, next } = readElement(element.content, offset);
    out.push(child);
    offset = next;
  }
  return out;
}

/**
 * Decodes an OBJECT IDENTIFIER's content to dotted text.
 * @param {Element} element
 * @returns {string}
 */
export function oid(element) {
  if (element.tag !== TAG.OID || element.content.length === 0) throw new Error('DER: not an OID');
  const arcs = [];
  let value = 0;
  for (let i = 0; i < element.content.length; i++) {
    const b = element.content[i];
    if (value === 0 && b === 0x80) throw new Error('DER: non-minimal OID arc');
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new Error('DER: OID arc too large');
    if (!(b & 0x80)) {
      arcs.push(value);
      value = 0;
    } else if (i === element.content.length - 1) {
      throw new Error('DER: truncated OID');
    }
  }
  const first = arcs.shift();
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...arcs].join('.');
}

/**
 * Decodes UTCTime (YYMMDDHHMMSSZ; 50-99 are 19xx) or GeneralizedTime (YYYYMMDDHHMMSSZ) to
 * Unix seconds. Only the forms RFC 5280 section 4.1.2.5 allows: seconds present, `Z`.
 * @param {Element} element
 * @returns {number}
 */
export function time(element) {
  const text = fromUtf8(element.content);
  let m;
  let year;
  if (element.tag === TAG.UTC_TIME && (m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text))) {
    year = Number(m[1]) < 50 ? 2000 + Number(m[1]) : 1900 + Number(m[1]);
  } else if (element.tag === TAG.GENERALIZED_TIME && (m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text))) {
    year = Number(m[1]);
  } else {
    throw new Error('DER: not a UTCTime or GeneralizedTime in the RFC 5280 form');
  }
  const [mo, d, h, mi, s] = m.slice(2).map(Number);
  const ms = Date.UTC(year, mo - 1, d, h, mi, s);
  const check = new Date(ms);
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw new Error('DER: impossible date');
  }
  return ms / 1000;
}

/**
 * What a wallet needs from an X.509 certificate.
 * @typedef {object} CertificateInfo
 * @property {Uint8Array} spki SubjectPublicKeyInfo DER, for `importKey('spki', ...)`
 * @property {Uint8Array} publicKey the uncompressed P-256 point (65 bytes, 0x04 || x || y)
 * @property {number} notBefore Unix seconds
 * @property {number} notAfter Unix seconds
 * @property {string|null} organisation the subject's O, if any
 */

/**
 * Parses an X.509 v3 certificate with a P-256 key. Refuses anything malformed: bad DER, a
 * trailing byte, a key that is not id-ecPublicKey on prime256v1, a repeated subject O.
 * @param {Uint8Array} der
 * @returns {CertificateInfo}
 */
export function parseCertificate(der) {
  const cert = children(readOne(der, TAG.SEQUENCE));
  if (cert.length !== 3 || cert[0].tag !== TAG.SEQUENCE) throw new Error('X.509: not a Certificate');
  const tbs = children(cert[0]);
  let i = tbs[0]?.tag === TAG.CONTEXT_0 ? 1 : 0;
  const expect = (tag, what) => {
    const e = tbs[i++];
    if (!e || e.tag !== tag) throw new Error(`X.509: expected ${what}`);
    return e;
  };
  expect(TAG.INTEGER, 'serialNumber');
  expect(TAG.SEQUENCE, 'signature algorithm');
  expect(TAG.SEQUENCE, 'issuer');
  const validity = children(expect(TAG.SEQUENCE, 'validity'));
  if (validity.length !== 2) throw new Error('X.509: validity has two times');
  const subject = expect(TAG.SEQUENCE, 'subject');
  const spkiElement = expect(TAG.SEQUENCE, 'subjectPublicKeyInfo');
  const spki = children(spkiElement);
  if (spki.length !== 2 || spki[0].tag !== TAG.SEQUENCE || spki[1].tag !== TAG.BIT_STRING) {
    throw new Error('X.509: malformed subjectPublicKeyInfo');
  }
  const alg = children(spki[0]);
  if (alg.length !== 2 || oid(alg[0]) !== OID_EC_PUBLIC_KEY || oid(alg[1]) !== OID_P256) {
    throw new Error('X.509: the key is not a P-256 EC key');
  }
  const bits = spki[1].content;
  if (bits.length !== 66 || bits[0] !== 0 || bits[1] !== 4) {
    throw new Error('X.509: the key is not an uncompressed P-256 point');
  }
  return {
    spki: spkiElement.der.slice(),
    publicKey: bits.slice(1),
    notBefore: time(validity[0]),
    notAfter: time(validity[1]),
    organisation: organisation(subject),
  };
}

/** @param {Element} name @returns {string|null} */
function organisation(name) {
  let found = null;
  for (const rdn of children(name)) {
    if (rdn.tag !== TAG.SET) throw new Error('X.509: a name is a sequence of sets');
    for (const atv of children(rdn)) {
      const parts = children(atv);
      if (atv.tag !== TAG.SEQUENCE || parts.length !== 2) throw new Error('X.509: malformed attribute');
      if (oid(parts[0]) !== OID_ORGANIZATION) continue;
      if (![TAG.UTF8, TAG.PRINTABLE, TAG.IA5].includes(parts[1].tag)) throw new Error('X.509: O is not a string');
      if (found !== null) throw new Error('X.509: more than one O');
      found = fromUtf8(parts[1].content);
    }
  }
  return found;
}
