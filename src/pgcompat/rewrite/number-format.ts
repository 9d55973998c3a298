/**
 * PostgreSQL's numeric formatting templates (to_char(number, '999,999.99'), to_number) for the
 * patterns reports use: digit positions 9 and 0, the decimal point (`.` or `D`), group
 * separators (`,` or `G`), the FM modifier and one sign pattern (`S` leading or trailing, `MI`,
 * `PR`). Other patterns (L, V, EEEE, RN, TH, PL, SG, B, literal text) are reported as
 * unsupported.
 *
 * PostgreSQL's rules, as its output shows them: the value is rounded (half away from zero) to
 * the template's fraction digits; integer digits are shown from the first significant digit or
 * the first `0` position, whichever comes first; a group separator shows when the digit to its
 * left does; a value with more integer digits than the template has positions prints `#` in
 * every digit position; without FM the text is blank-padded on the left to the template's width
 * and has a sign position (blank or `-`) before the first digit; with FM trailing fraction zeros
 * in `9` positions are dropped (the decimal point stays) and an integer part that would print
 * nothing prints `0` when no fraction digits are left; a template without fraction digits prints
 * no decimal point.
 */

export interface NumberTemplate {
  fm: boolean;
  /** The integer part of the template from the left: 'd' (9), 'z' (0) and ',' separators. */
  intPart: ('d' | 'z' | ',')[];
  /** Digits after the decimal point, and how many leading ones are 0 positions (the last 0's index + 1). */
  fracDigits: number;
  fracZeroEnd: number;
  point: boolean;
  sign: 'default' | 'S-lead' | 'S-trail' | 'MI' | 'PR';
}

/** Does the template look numeric (digit positions and numeric patterns only)? */
export function isNumberTemplate(fmt: string): boolean {
  const bare = fmt.replace(/"[^"]*"?/g, '');
  if (!/[90]/.test(bare) && !/^\s*(FM|fm)?\s*(RN|rn)\s*$/.test(bare)) return false;
  return /^(FM|fm|PR|pr|MI|mi|PL|pl|SG|sg|RN|rn|TH|th|EEEE|eeee|[90.,DdGgSsLlVvBbCc\s])*$/.test(bare);
}

/** Reads the template, or names the first pattern lakegres does not format. */
export function parseNumberTemplate(fmt: string): NumberTemplate | { unsupported: string } {
  const t: NumberTemplate = { fm: false, intPart: [], fracDigits: 0, fracZeroEnd: 0, point: false, sign: 'default' };
  let i = 0;
  let seenDigit = false;
  const setSign = (s: NumberTemplate['sign']): boolean => {
    if (t.sign !== 'default') return false;
    t.sign = s;
    return true;
  };
  while (i < fmt.length) {
    const two = fmt.slice(i, i + 2).toUpperCase();
    const c = fmt[i]!;
    if (two === 'FM') {
      t.fm = true;
      i += 2;
      continue;
    }
    if (two === 'MI' || two === 'PR') {
      if (!seenDigit || !setSign(two)) return { unsupported: fmt.slice(i, i + 2) };
      i += 2;
      continue;
    }
    if (c === '9' || c === '0') {
      seenDigit = true;
      if (t.sign === 'S-trail' || t.sign === 'MI' || t.sign === 'PR') return { unsupported: c };
      if (t.point) {
        t.fracDigits++;
        if (c === '0') t.fracZeroEnd = t.fracDigits;
      } else t.intPart.push(c === '9' ? 'd' : 'z');
      i++;
      continue;
    }
    if (c === '.' || c === 'D' || c === 'd') {
      if (t.point) return { unsupported: c };
      t.point = true;
      i++;
      continue;
    }
    if (c === ',' || c === 'G' || c === 'g') {
      if (t.point || !seenDigit) return { unsupported: c };
      t.intPart.push(',');
      i++;
      continue;
    }
    if (c === 'S' || c === 's') {
      if (!setSign(seenDigit ? 'S-trail' : 'S-lead')) return { unsupported: c };
      i++;
      continue;
    }
    return { unsupported: /[A-Za-z]/.test(c) ? (/[A-Za-z]/.test(fmt[i + 1] ?? '') ? fmt.slice(i, i + 2) : c) : c };
  }
  if (!seenDigit) return { unsupported: fmt };
  // A separator after the last integer digit position has no digit to its right: PostgreSQL
  // prints it where it is; keep the model simple and refuse it.
  if (t.intPart[t.intPart.length - 1] === ',') return { unsupported: ',' };
  if (t.fracDigits > 30) return { unsupported: '9' };
  return t;
}

const lit = (s: string): string => "'" + s.replace(/'/g, "''") + "'";

/** to_char(number, template) as SQL over `__arg_x`. */
export function numberToCharSql(t: NumberTemplate): string {
  const f = t.fracDigits;
  const digits = t.intPart.filter((c) => c !== ',').length;
  const zeroStart = t.intPart.filter((c) => c !== ',').indexOf('z');
  const firstZero = zeroStart < 0 ? digits : zeroStart;
  const rounded = `CAST(__arg_x AS DECIMAL(38, ${f}))`;
  const text = `CAST(abs(${rounded}) AS VARCHAR)`;
  const intDigits = `ltrim(split_part(${text}, '.', 1), '0')`;
  const fracText = `split_part(${text}, '.', 2)`;
  const neg = `(${rounded} < 0)`;

  // The integer section with every position filled (zeros on the left), separators in place.
  const padded = `lpad(${intDigits}, ${digits}, '0')`;
  const groups: string[] = [];
  let pos = 1;
  let run = 0;
  for (const c of t.intPart) {
    if (c === ',') {
      if (run > 0) groups.push(`substr(${padded}, ${pos}, ${run})`);
      pos += run;
      run = 0;
      groups.push("','");
    } else run++;
  }
  if (run > 0) groups.push(`substr(${padded}, ${pos}, ${run})`);
  const full = groups.length > 0 ? groups.join(' || ') : "''";
  // Characters of the section from digit position k to its end, for each first shown position k.
  const keep: number[] = [];
  for (let k = 0; k <= digits; k++) {
    let seen = 0;
    let n = 0;
    for (const c of t.intPart) {
      if (c === ',') {
        if (seen > k) n++;
      } else {
        if (seen >= k) n++;
        seen++;
      }
    }
    keep.push(n);
  }
  const firstShown = `least(${digits} - length(${intDigits}), ${firstZero})`;
  const keepCase = `CASE ${firstShown} ${keep.map((n, k) => `WHEN ${k} THEN ${n}`).join(' ')} ELSE 0 END`;
  const intShownRaw = digits === 0 ? "''" : `right(${full}, ${keepCase})`;

  const fracShown = f === 0 ? "''" : t.fm ? `(substr(${fracText}, 1, ${t.fracZeroEnd}) || rtrim(substr(${fracText}, ${t.fracZeroEnd + 1}), '0'))` : fracText;
  const unitZero = f === 0 ? 'TRUE' : t.fm ? `${fracShown} = ''` : 'FALSE';
  const intShown = `CASE WHEN ${intShownRaw} = '' AND ${unitZero} THEN '0' ELSE ${intShownRaw} END`;
  const core = f === 0 ? intShown : `${intShown} || '.' || ${fracShown}`;

  const hashes = t.intPart.map((c) => (c === ',' ? ',' : '#')).join('') + (t.point ? '.' + '#'.repeat(f) : '');
  const signed = (body: string, isConst: boolean): string => {
    const b = isConst ? lit(body) : `(${body})`;
    switch (t.sign) {
      case 'default':
        return `CASE WHEN ${neg} THEN '-' ELSE ${lit(t.fm || !isConst ? '' : ' ')} END || ${b}`;
      case 'S-lead':
        return `CASE WHEN ${neg} THEN '-' ELSE '+' END || ${b}`;
      case 'S-trail':
        return `${b} || CASE WHEN ${neg} THEN '-' ELSE '+' END`;
      case 'MI':
        return `${b} || CASE WHEN ${neg} THEN '-' ELSE ${lit(t.fm ? '' : ' ')} END`;
      case 'PR':
        return `CASE WHEN ${neg} THEN '<' || ${b} || '>' ELSE ${t.fm ? b : `' ' || ${b} || ' '`} END`;
    }
  };
  const signSlots = t.sign === 'PR' ? 2 : 1;
  const width = t.intPart.length + (f > 0 ? 1 + f : 0) + signSlots;
  const body = t.fm ? signed(core, false) : `lpad(${signed(core, false)}, ${width}, ' ')`;
  const overflow = signed(hashes, true);
  return `CASE WHEN __arg_x IS NULL THEN NULL WHEN length(${intDigits}) > ${digits} THEN ${overflow} ELSE ${body} END`;
}

/**
 * to_number(text, template) as SQL over `__arg_x`: the characters the template reads as digits,
 * decimal point and sign; group separators and blanks are skipped.
 */
export function toNumberSql(t: NumberTemplate): string {
  const cleaned = `regexp_replace(CAST(__arg_x AS VARCHAR), '[^0-9.]', '', 'g')`;
  const negative = t.sign === 'PR' ? `regexp_matches(CAST(__arg_x AS VARCHAR), '<.*>')` : `contains(CAST(__arg_x AS VARCHAR), '-')`;
  const scale = Math.max(t.fracDigits, 0);
  const value = `CAST(NULLIF(${cleaned}, '') AS DECIMAL(38, ${scale}))`;
  return `CASE WHEN ${negative} THEN -${value} ELSE ${value} END`;
}
