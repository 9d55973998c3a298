import type { IntervalStyle, TimeZone } from './datetime.js';

/** The session settings that change how values are rendered. */
export interface FormatContext {
  timeZone: TimeZone;
  intervalStyle: IntervalStyle;
  extraFloatDigits: number;
  byteaOutput: 'hex' | 'escape';
}
