/**
 * Parses a Prometheus sample value. Prometheus writes "NaN", "+Inf" and "-Inf" for non-finite
 * values; they become NaN/±Infinity (never dropped: the detector must see them to answer unknown).
 * Returns undefined when the text is not a number at all.
 */
export function parseSampleValue(text: string): number | undefined {
  if (NUMBER.test(text)) return Number(text);
  return NON_FINITE.get(text.toLowerCase());
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
// Go's strconv.ParseFloat (which Prometheus-compatible servers use) accepts these, case-insensitively.
const NON_FINITE = new Map<string, number>([
  ['nan', Number.NaN],
  ['inf', Infinity],
  ['+inf', Infinity],
  ['infinity', Infinity],
  ['+infinity', Infinity],
  ['-inf', -Infinity],
  ['-infinity', -Infinity],
]);
