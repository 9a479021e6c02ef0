// Tolerant readers for values from Seller Centre's JSON and DOM: numbers may come as strings,
// ids may exceed 2^53 (kept as strings where they are ids we only compare), times may be
// seconds, milliseconds or ISO strings. Nothing here throws.

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json }
export type Obj = { [k: string]: unknown }

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v)
}

/** First defined value among `keys` of `o`. */
export function pick(o: Obj, ...keys: string[]): unknown {
  for (const k of keys) {
    if (o[k] !== undefined && o[k] !== null) return o[k]
  }
  return undefined
}

/** A finite number from a number or a numeric string ("63.500" is not numeric; "63500" is). */
export function num(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined
  if (typeof v === "string") {
    const s = v.trim()
    if (/^-?\d+(\.\d+)?$/.test(s)) {
      const n = Number(s)
      return Number.isFinite(n) ? n : undefined
    }
  }
  return undefined
}

/** A non-negative safe integer id (item_id, model_id, user id), or undefined. */
export function intId(v: unknown): number | undefined {
  const n = num(v)
  if (n === undefined || !Number.isInteger(n) || n < 0 || !Number.isSafeInteger(n)) return undefined
  return n
}

/** A one-line trimmed string, or "" (numbers become their text). */
export function str(v: unknown, max = 200): string {
  let s: string
  if (typeof v === "string") s = v
  else if (typeof v === "number" && Number.isFinite(v)) s = String(v)
  else if (typeof v === "bigint") s = v.toString()
  else return ""
  // eslint-disable-next-line no-control-regex
  s = s.replace(/[\u0000-\u001f\u007f]+/g, " ").trim()
  return [...s].slice(0, max).join("")
}

/** Text that may span lines (chat messages); control characters other than newlines removed. */
export function text(v: unknown, max = 4000): string {
  if (typeof v !== "string") return ""
  // eslint-disable-next-line no-control-regex
  const s = v.replace(/\r\n?/g, "\n").replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, "")
  return [...s.trim()].slice(0, max).join("")
}

/** An ISO time from epoch seconds, epoch milliseconds, or a date string; undefined if none. */
export function isoTime(v: unknown): string | undefined {
  const n = num(v)
  let ms: number | undefined
  if (n !== undefined) {
    if (n <= 0) return undefined
    // seconds, milliseconds, microseconds or nanoseconds (Shopee's chat uses all of them)
    ms = n < 1e11 ? n * 1000 : n < 1e14 ? n : n < 1e17 ? n / 1e3 : n / 1e6
  } else if (typeof v === "string" && v.trim()) {
    const t = Date.parse(v)
    if (!Number.isNaN(t)) ms = t
  }
  if (ms === undefined) return undefined
  const d = new Date(ms)
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 2000 || d.getUTCFullYear() > 2200) return undefined
  return d.toISOString()
}

/** Seconds since the epoch, from the same inputs as isoTime. */
export function epochSeconds(v: unknown): number | undefined {
  const iso = isoTime(v)
  return iso ? Math.floor(Date.parse(iso) / 1000) : undefined
}

/** Normalises chat text for "is this the message we typed?" comparisons. */
export function sameText(a: string, b: string): boolean {
  const n = (s: string) => s.replace(/\s+/g, " ").trim()
  return n(a) === n(b)
}

/** Walks a JSON value breadth-first (bounded) and returns every array of objects found. */
export function objectArrays(root: unknown, maxDepth = 6, maxNodes = 5000): Obj[][] {
  const out: Obj[][] = []
  let queue: Array<[unknown, number]> = [[root, 0]]
  let seen = 0
  while (queue.length && seen < maxNodes) {
    const next: Array<[unknown, number]> = []
    for (const [v, d] of queue) {
      seen++
      if (Array.isArray(v)) {
        const objs = v.filter(isObj)
        if (objs.length) out.push(objs)
        if (d < maxDepth) for (const x of v.slice(0, 200)) if (typeof x === "object" && x) next.push([x, d + 1])
      } else if (isObj(v) && d < maxDepth) {
        for (const x of Object.values(v)) if (typeof x === "object" && x) next.push([x, d + 1])
      }
    }
    queue = next
  }
  return out
}

/** A short stable hash (FNV-1a) of a string, for dedup keys that must not carry content. */
export function hash(s: string): string {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0).toString(36)
}
