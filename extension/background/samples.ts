// The background's side of unreadable samples: keeps them (deduplicated: a page polling the same
// changed response every two seconds is one sample), tells AUTO how many there are so its
// dashboard warns the seller, and hands them to the popup as one file.

import { addSample, clearSamples, listSamples, samplesFile, type Sample, type SamplesFile } from "../lib/samples"
import type { KV, Mutex } from "../lib/store"
import { hash } from "../lib/util"

export interface HealthReport {
  unreadable: number
  last_path?: string
  last_reason?: string
}

/** JSON with sorted keys: chrome.storage gives objects back with their keys sorted, so the
 * sample kept and the same one seen again must be compared in one order. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
      .join(",")}}`
  }
  return JSON.stringify(v) ?? "null"
}

const fingerprint = (s: Sample) => `${s.path}|${s.reason}|${hash(canonical(s.body))}`

export class SampleKeeper {
  constructor(
    private store: KV,
    private mutex: Mutex,
    /** Sends the report to AUTO; throws when AUTO cannot take it (it is sent again later). */
    private send: (r: HealthReport) => Promise<void>
  ) {}

  /** Keeps a sample unless the same one is kept already; returns the count kept. */
  async add(s: Sample): Promise<number> {
    const n = await this.mutex.run(async () => {
      const all = await listSamples(this.store)
      if (all.some((x) => fingerprint(x) === fingerprint(s))) return all.length
      console.warn(`[AUTO] kept an unreadable Seller Centre response (${s.path}: ${s.reason})`)
      return addSample(this.store, s)
    })
    void this.report()
    return n
  }

  async count(): Promise<{ n: number; lastPath?: string }> {
    const all = await listSamples(this.store)
    return { n: all.length, lastPath: all[all.length - 1]?.path }
  }

  async file(version: string): Promise<SamplesFile> {
    return samplesFile(await listSamples(this.store), version)
  }

  async clear(): Promise<void> {
    await this.mutex.run(() => clearSamples(this.store))
    await this.report()
  }

  /** Tells AUTO the current count when it differs from what AUTO was last told. */
  async report(): Promise<void> {
    const all = await listSamples(this.store)
    const last = all[all.length - 1]
    const r: HealthReport = { unreadable: all.length }
    if (last) {
      r.last_path = last.path.slice(0, 300)
      r.last_reason = last.reason.slice(0, 300)
    }
    const key = JSON.stringify(r)
    if ((await this.store.get<string>("healthReported")) === key) return
    try {
      await this.send(r)
      await this.store.set({ healthReported: key })
    } catch {
      /* AUTO away or older: told on a later tick */
    }
  }
}
