/**
 * Identifiers cities key on: the resident ID number (GB 11643), the unified
 * social credit code of organisations (GB 32100), and mainland mobile numbers.
 * Each validator returns a reason (zh-CN and en) or null when valid.
 */
import type { Reason } from '@honglian/service-kit/domain';

export type { Reason };

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** GB 11643 check character of the first 17 digits. */
export function idNumberCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11]!;
}

export function validateIdNumber(raw: string, today = new Date()): Reason | null {
  const id = raw.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) return { zh: '身份证号应为18位', en: 'ID number must be 18 characters' };
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const birth = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d || birth > today) {
    return { zh: '身份证号出生日期无效', en: 'ID number has an invalid birth date' };
  }
  if (idNumberCheckChar(id.slice(0, 17)) !== id[17]) {
    return { zh: '身份证号校验位错误', en: 'ID number check digit is wrong' };
  }
  return null;
}

export function normaliseIdNumber(raw: string): string {
  return raw.trim().toUpperCase();
}

/**
 * An ID number as people type or paste it (full-width digits, spaces between groups, a lower-case
 * x): the form it is stored and hashed in. An import cell and a search go through this, so what an
 * import stored is found by what a person types.
 */
export function normaliseTypedIdNumber(raw: string): string {
  return normaliseIdNumber(raw.normalize('NFKC').replace(/\s+/g, ''));
}

/** A phone as people type or paste it (full-width digits or +), in the form it is stored and hashed in. */
export function normaliseTypedPhone(raw: string): string {
  return normalisePhone(raw.normalize('NFKC'));
}

/** Mainland mobile numbers: 11 digits starting 13–19, optionally with +86. */
export function normalisePhone(raw: string): string {
  return raw.replace(/[\s-]/g, '').replace(/^(\+?86)(?=1\d{10}$)/, '');
}

export function validatePhone(raw: string): Reason | null {
  return /^1[3-9]\d{9}$/.test(normalisePhone(raw))
    ? null
    : { zh: '手机号应为11位大陆手机号', en: 'phone must be an 11-digit mainland mobile number' };
}

/** GB 32100 alphabet: digits and capitals without I, O, Z, S, V. */
const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARS.indexOf(first17[i]!) * USCC_WEIGHTS[i]!;
  return USCC_CHARS[(31 - (sum % 31)) % 31]!;
}

export function validateCreditCode(raw: string): Reason | null {
  const code = raw.trim().toUpperCase();
  if (code.length !== 18 || [...code].some((c) => !USCC_CHARS.includes(c))) {
    return { zh: '统一社会信用代码应为18位', en: 'unified social credit code must be 18 valid characters' };
  }
  if (creditCodeCheckChar(code.slice(0, 17)) !== code[17]) {
    return { zh: '统一社会信用代码校验位错误', en: 'unified social credit code check character is wrong' };
  }
  return null;
}

/** `331003199001011234` → `3310**********1234`: enough to recognise, not to misuse. */
export function maskIdNumber(id: string): string {
  return id.length <= 8 ? '*'.repeat(id.length) : id.slice(0, 4) + '*'.repeat(id.length - 8) + id.slice(-4);
}

/** `13812345678` → `138****5678`. */
export function maskPhone(phone: string): string {
  return phone.length < 7
    ? '*'.repeat(phone.length)
    : phone.slice(0, 3) + '*'.repeat(phone.length - 7) + phone.slice(-4);
}
