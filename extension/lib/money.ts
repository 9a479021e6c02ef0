// Money as Seller Centre's JSON carries it, to the engine's units (rupiah, dong, baht, reais...).
// The older order list sends strings ("152000.00"); the card list sends numbers that one public
// Brazilian capture shows multiplied by 100000 (R$ 123,50 = 12350000: deegoll/copiloto
// docs/canais/mapa-pedidos-shopee.md), and an Indonesian finance audit says the same of Seller
// Centre's income figures. Whether every region and every card does so is not known, so the
// scale is decided per order from what the order itself says, never assumed:
//   1. the lines' unit prices agree with the total at one scale → that scale;
//   2. no line prices: the one scale at which the number is a plausible amount of the currency
//      (no more decimals than the currency has, and not above a ceiling no single order of
//      digital goods reaches: Rp 500 million, ₫ 2 billion, ...);
//   3. both scales plausible and nothing to tell them apart → no total (the engine sums the
//      lines); the delivery does not depend on it.
// An order whose total and lines disagree by the factor itself is flagged (see `scaleConflict`).

import { num } from "./util"

export const SCALE = 100_000

const ZERO_DECIMALS = new Set(["IDR", "VND", "TWD", "CLP", "COP"])

export function decimalsOf(currency: string): number {
  return ZERO_DECIMALS.has(currency) ? 0 : 2
}

/** Rounds to the currency's minor unit (the engine refuses fractions of a rupiah). */
export function roundMoney(v: number, currency: string): number {
  const f = 10 ** decimalsOf(currency)
  return Math.round(v * f) / f
}

/** The most one order plausibly totals, per currency (about US$ 30,000): above it, a raw
 * number is a scaled one. A heuristic, used only when the order has no line prices. */
const CEILING: Record<string, number> = {
  IDR: 5e8, VND: 8e8, THB: 1e6, MYR: 1.5e5, PHP: 1.8e6, SGD: 4e4, TWD: 1e6, BRL: 1.6e5, MXN: 6e5, CLP: 3e7, COP: 1.3e8, USD: 3e4
}

/** A value is a plausible amount when it has no more decimals than the currency has and is
 * below the currency's ceiling. */
function plausible(v: number, currency: string): boolean {
  const f = 10 ** decimalsOf(currency)
  const ceiling = CEILING[currency] ?? Number.POSITIVE_INFINITY
  return Number.isFinite(v) && v >= 0 && v <= ceiling && Math.abs(v * f - Math.round(v * f)) < 1e-6
}

type Scale = 1 | typeof SCALE

/** The scale of one raw amount on its own: 1, SCALE, undefined (either could be), or "bad". */
export function scaleOf(raw: unknown, currency: string): Scale | undefined | "bad" {
  // "152000.00": a decimal string is an amount as shown, never a scaled integer.
  if (typeof raw === "string" && /^\s*\d+\.\d+\s*$/.test(raw)) return 1
  const t = num(raw)
  if (t === undefined || t < 0) return "bad"
  const asIs = plausible(t, currency)
  const scaled = t >= SCALE && plausible(t / SCALE, currency)
  if (asIs && !scaled) return 1
  if (scaled && !asIs) return SCALE
  return asIs && scaled ? undefined : "bad"
}

export interface MoneyRead {
  /** The order total in engine units; undefined when it cannot be told (the engine sums lines). */
  total?: number
  /** Each line's unit price in engine units; undefined when the source has none or it is unclear. */
  prices: Array<number | undefined>
  /** Total and lines disagree by the scale factor: the order must not be delivered on it. */
  conflict?: string
}

const near = (a: number, b: number) => a > 0 && b > 0 && a / b > 0.2 && a / b < 5

/**
 * An order's money in engine units: the raw total and each line's raw unit price and quantity.
 * Each amount is read at the scale its own shape says; an amount that could be either is read at
 * the scale that agrees with the other side; what stays unclear is left out.
 */
export function readMoney(rawTotal: unknown, lines: Array<{ price: unknown; quantity: number }>, currency: string): MoneyRead {
  let ts = rawTotal === undefined ? "bad" : scaleOf(rawTotal, currency)
  const scales = lines.map((l) => (l.price === undefined ? "none" : scaleOf(l.price, currency)))
  const decided = scales.filter((s): s is Scale => s === 1 || s === SCALE)
  if (new Set(decided).size > 1) return { prices: lines.map(() => undefined), conflict: "line prices at two scales" }
  let ls: Scale | undefined | "none" = decided[0] ?? (scales.some((s) => s === undefined) ? undefined : "none")
  const t = num(rawTotal) ?? 0
  const raw = lines.map((l) => num(l.price))
  const lineSum = raw.every((p) => p !== undefined) ? raw.reduce<number>((s, p, i) => s + (p ?? 0) * lines[i].quantity, 0) : 0
  if (ts === undefined && (ls === 1 || ls === SCALE)) {
    ts = near(t, lineSum / ls) ? 1 : near(t / SCALE, lineSum / ls) ? SCALE : undefined
  } else if (ls === undefined && (ts === 1 || ts === SCALE)) {
    ls = near(lineSum, t / ts) ? 1 : near(lineSum / SCALE, t / ts) ? SCALE : undefined
  }
  const out: MoneyRead = { prices: [] }
  if (ts === 1 || ts === SCALE) out.total = roundMoney(t / ts, currency)
  out.prices = raw.map((p) => (p !== undefined && (ls === 1 || ls === SCALE) ? roundMoney(p / ls, currency) : undefined))
  if (out.total !== undefined && out.prices.length && out.prices.every((p) => p !== undefined)) {
    const sum = out.prices.reduce<number>((s, p, i) => s + (p ?? 0) * lines[i].quantity, 0)
    if (scaleConflict(out.total, sum)) out.conflict = `total ${out.total} and lines ${sum} differ by about ${SCALE}x`
  }
  return out
}

/** True when two amounts of one order differ by about the scale factor (either way). */
export function scaleConflict(a: number, b: number): boolean {
  if (a <= 0 || b <= 0) return false
  const r = a > b ? a / b : b / a
  return r > SCALE / 5 && r < SCALE * 5
}
