// The redacted samples of Seller Centre responses the extension could not read, kept in
// extension storage (the last 50) for the seller to save as one JSON file and send to support;
// `npm run read-capture` replays such a file through the adapters.

import type { KV } from "./store"

export const MAX_SAMPLES = 50
const KEY = "unreadableSamples"

export interface Sample {
  /** When it was seen (ISO). */
  at: string
  /** The page's host (seller.shopee.co.id): the region, hence the language and currency. */
  host: string
  /** The URL path only: queries carry session tokens. */
  path: string
  method: string
  status: number
  /** What could not be read ("no readable order", "2 records skipped: ..."). */
  reason: string
  /** The response, redacted (see redact.ts); a broken one as masked text. */
  body: unknown
}

/** The file the popup saves: what `read-capture` takes as a "saved samples file". */
export interface SamplesFile {
  kind: "auto-shopee-unreadable-samples/1"
  saved_at: string
  extension_version: string
  samples: Sample[]
}

export async function listSamples(store: KV): Promise<Sample[]> {
  return (await store.get<Sample[]>(KEY)) ?? []
}

/** Adds one sample, keeping the newest MAX_SAMPLES; returns the count kept. */
export async function addSample(store: KV, s: Sample): Promise<number> {
  const all = [...(await listSamples(store)), s].slice(-MAX_SAMPLES)
  await store.set({ [KEY]: all })
  return all.length
}

export async function clearSamples(store: KV): Promise<void> {
  await store.set({ [KEY]: [] })
}

export function samplesFile(samples: Sample[], version: string, now = new Date()): SamplesFile {
  return { kind: "auto-shopee-unreadable-samples/1", saved_at: now.toISOString(), extension_version: version, samples }
}

export function isSamplesFile(v: unknown): v is SamplesFile {
  return typeof v === "object" && v !== null && (v as { kind?: unknown }).kind === "auto-shopee-unreadable-samples/1" && Array.isArray((v as { samples?: unknown }).samples)
}
