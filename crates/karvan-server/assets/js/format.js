// Numbers and words as the page writes them: en-US digits, a real minus sign, no "-0".

const nf0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const nf1 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const nf2 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const nf3 = new Intl.NumberFormat('en-US', { minimumFractionDigits: 3, maximumFractionDigits: 3 });

/** n, or 0 when it rounds to zero at that many digits (so no "-0" is shown). */
const unsignedZero = (n, digits) => (Math.abs(n) < 0.5 * 10 ** -digits ? 0 : n);
export const fmt0 = (n) => (n == null ? '–' : nf0.format(unsignedZero(n, 0)));
export const fmt1 = (n) => (n == null ? '–' : nf1.format(unsignedZero(n, 1)));
export const fmt2 = (n) => (n == null ? '–' : nf2.format(unsignedZero(n, 2)));
export const fmt3 = (n) => (n == null ? '–' : nf3.format(unsignedZero(n, 3)));
export const fmtPct = (share) => (share == null ? '–' : `${nf1.format(share * 100)} %`);
export const fmtMusd = (usd) => fmt2(usd / 1e6);
export const fmtKt = (t) => (t == null ? '–' : fmt0(t / 1000));
/** A change in thousand tonnes, with a decimal when it is small. */
export const fmtKtChange = (t) => (Math.abs(t) < 50 ? '0' : fmtSigned(t / 1000, Math.abs(t) < 10_000 ? fmt1 : fmt0));

/** A signed number with a real minus sign; zero has no sign. */
export function fmtSigned(n, format = fmt0) {
  const text = format(Math.abs(n));
  if (text === format(0)) return text;
  return (n > 0 ? '+' : '−') + text;
}

export const changeClass = (n) => (n > 0 ? 'num up' : n < 0 ? 'num down' : 'num');

/** "Containerised / general cargo (…)" → "Containerised / general cargo". */
export const shortName = (name) => name.replace(/\s*\(.*\)\s*$/, '');

export const fmtPercent = (v) => `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.abs(v)} %`;

export const sum = (xs) => xs.reduce((t, x) => t + x, 0);

export const plural = (n, word, many = `${word}s`) => `${fmt0(n)} ${n === 1 ? word : many}`;

export const ordinal = (n) => `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] || 'th'}`;
