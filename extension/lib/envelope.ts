// The tagged envelope in which the main-world capture script hands Seller Centre's own JSON
// responses to the content script (window.postMessage on the page's window).

export const CAPTURE_TAG = "auto-shopee-capture/1"

export interface CaptureEnvelope {
  tag: typeof CAPTURE_TAG
  url: string
  method: string
  status: number
  /** The response text, unparsed: the content script parses it and counts what it cannot. */
  body: string
}

export function isEnvelope(d: unknown): d is CaptureEnvelope {
  if (typeof d !== "object" || d === null) return false
  const e = d as Record<string, unknown>
  return e.tag === CAPTURE_TAG && typeof e.url === "string" && typeof e.body === "string" && typeof e.status === "number"
}

/** Responses worth reading: Seller Centre's API calls (orders, chat), not assets or tracking. */
export function worthCapturing(url: string): boolean {
  try {
    const u = new URL(url, "https://seller.shopee.co.id/")
    return /\/api\//.test(u.pathname) && !/\/(track|log|report|tracking)\b/i.test(u.pathname)
  } catch {
    return false
  }
}

/** Largest response passed on (order lists of a flash sale fit well below this). */
export const MAX_CAPTURE_BYTES = 4 * 1024 * 1024
