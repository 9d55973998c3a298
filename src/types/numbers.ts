/** Number formatting identical to PostgreSQL's float4out/float8out/numeric_out. */

/**
 * Splits a finite, non-zero JS shortest representation into digits and decimal exponent
 * (value = 0.d1d2d3... × 10^(exp+1), i.e. exp is the exponent of the leading digit).
 */
function digitsAndExponent(s: string): { digits: string; exp: number } {
  let mantissa = s;
  let e = 0;
  const ePos = s.indexOf('e');
  if (ePos >= 0) {
    mantissa = s.slice(0, ePos);
    e = Number(s.slice(ePos + 1));
  }
  const dot = mantissa.indexOf('.');
  let intPart = dot >= 0 ? mantissa.slice(0, dot) : mantissa;
  const fracPart = dot >= 0 ? mantissa.slice(dot + 1) : '';
  let digits = intPart + fracPart;
  let exp = intPart.length - 1 + e;
  // strip leading zeros (0.00123)
  let lead = 0;
  while (lead < digits.length - 1 && digits[lead] === '0') lead++;
  digits = digits.slice(lead);
  exp -= lead;
  // strip trailing zeros
  let end = digits.length;
  while (end > 1 && digits[end - 1] === '0') end--;
  digits = digits.slice(0, end);
  intPart = '';
  return { digits, exp };
}

/** Formats shortest digits like PostgreSQL's ryu-based output with the given fixed-point window. */
function formatShortest(negative: boolean, digits: string, exp: number, maxFixedExp: number): string {
  const sign = negative ? '-' : '';
  if (exp >= -4 && exp < maxFixedExp) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    if (digits.length <= exp + 1) return sign + digits + '0'.repeat(exp + 1 - digits.length);
    return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  }
  const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const expAbs = Math.abs(exp);
  return `${sign}${mant}e${exp < 0 ? '-' : '+'}${expAbs < 10 ? '0' + expAbs : expAbs}`;
}

function special(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  return undefined;
}

/** float8out. extraFloatDigits > 0 selects the shortest exact representation (the default). */
export function formatFloat8(v: number, extraFloatDigits = 1): string {
  const sp = special(v);
  if (sp !== undefined) return sp;
  if (extraFloatDigits > 0) {
    const abs = Math.abs(v);
    // Where PostgreSQL writes the shortest digits without an exponent, so does JavaScript.
    if (abs >= 1e-4 && abs < 1e15) return '' + v;
    const { digits, exp } = digitsAndExponent(abs.toString());
    return formatShortest(v < 0, digits, exp, 15);
  }
  return formatG(v, Math.max(1, 15 + extraFloatDigits));
}

/** float4out */
export function formatFloat4(v: number, extraFloatDigits = 1): string {
  const sp = special(v);
  if (sp !== undefined) return sp;
  if (extraFloatDigits > 0) {
    const abs = Math.abs(v);
    let repr = '';
    for (let p = 1; p <= 9; p++) {
      repr = abs.toPrecision(p);
      if (Math.fround(Number(repr)) === abs) break;
    }
    const { digits, exp } = digitsAndExponent(repr);
    return formatShortest(v < 0, digits, exp, 6);
  }
  return formatG(v, Math.max(1, 6 + extraFloatDigits));
}

/** C printf `%.*g`. */
function formatG(v: number, precision: number): string {
  const s = Math.abs(v).toExponential(precision - 1);
  const { digits, exp } = digitsAndExponent(s);
  const neg = v < 0;
  if (exp < -4 || exp >= precision) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ea = Math.abs(exp);
    return `${neg ? '-' : ''}${mant}e${exp < 0 ? '-' : '+'}${ea < 10 ? '0' + ea : ea}`;
  }
  return formatShortest(neg, digits, exp, precision);
}

/** A scaled integer (DECIMAL storage) as numeric text with exactly `scale` fraction digits. */
export function formatScaled(value: bigint, scale: number): string {
  if (scale === 0) return value.toString();
  const neg = value < 0n;
  let s = (neg ? -value : value).toString();
  if (s.length <= scale) s = '0'.repeat(scale - s.length + 1) + s;
  return `${neg ? '-' : ''}${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
}

/** Same as formatScaled for values that fit a double exactly (|value| < 2^53). */
export function formatScaledNumber(value: number, scale: number): string {
  if (scale === 0) return String(value);
  const neg = value < 0;
  let s = String(neg ? -value : value);
  if (s.length <= scale) s = '0'.repeat(scale - s.length + 1) + s;
  return `${neg ? '-' : ''}${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
}
