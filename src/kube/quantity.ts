/** Kubernetes resource quantities ("512Mi", "1G", "1.5Gi", "129e6", "0.5") to bytes. */

const binary: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const decimal: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** Bytes for a memory quantity, rounded up to a whole byte as Kubernetes does; null if malformed. */
export function parseQuantityBytes(quantity: string | number | undefined | null): number | null {
  if (quantity === undefined || quantity === null) return null;
  if (typeof quantity === 'number') return Number.isFinite(quantity) && quantity >= 0 ? Math.ceil(quantity) : null;
  const match = /^\s*([+]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)\s*$/.exec(
    quantity,
  );
  if (!match) return null;
  const [, number, exponent, suffix] = match;
  const base = Number(number);
  let value: number;
  if (exponent) value = Number(`${number}${exponent}`);
  else if (suffix && suffix in binary) value = base * (binary[suffix] ?? 1);
  else value = base * (decimal[suffix ?? ''] ?? 1);
  return Number.isFinite(value) ? Math.ceil(value - 1e-9) : null;
}
