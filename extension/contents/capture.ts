// Main-world script: runs in Seller Centre's own JavaScript world before the page's scripts,
// wraps fetch and XMLHttpRequest, and hands the JSON of the page's own API responses to the
// content script in a tagged envelope. It reads copies only; the page gets its responses
// untouched, and a failure here never breaks the page. It also makes the two calls the content
// script may ask for (an order's details, opening a chat: lib/bridge.ts) the way the page makes
// its own: through the page's fetch, with its cookies and the session parameters its own calls
// carry; their answers come back through the same capture.

import type { PlasmoCSConfig } from "plasmo"

import { callFor, DONE_TAG, isPageRequest, learnParams, type PageParams, type PageRequestDone } from "../lib/bridge"
import { CAPTURE_TAG, MAX_CAPTURE_BYTES, worthCapturing } from "../lib/envelope"

export const config: PlasmoCSConfig = {
  matches: [
    "https://seller.shopee.co.id/*",
    "https://seller.shopee.vn/*",
    "https://seller.shopee.co.th/*",
    "https://seller.shopee.com.my/*",
    "https://seller.shopee.ph/*",
    "https://seller.shopee.sg/*",
    "https://seller.shopee.tw/*",
    "https://seller.shopee.com.br/*",
    "https://seller.shopee.com.mx/*",
    "https://seller.shopee.cl/*",
    "https://seller.shopee.com.co/*"
  ],
  world: "MAIN",
  run_at: "document_start",
  all_frames: true
}

declare global {
  interface Window {
    __autoCaptureInstalled?: boolean
  }
}

function post(url: string, method: string, status: number, body: string) {
  if (body.length > MAX_CAPTURE_BYTES) return
  window.postMessage({ tag: CAPTURE_TAG, url, method, status, body }, window.location.origin)
}

function looksJson(contentType: string | null, body: string): boolean {
  if (contentType && /json/i.test(contentType)) return true
  const c = body.trimStart()[0]
  return c === "{" || c === "["
}

if (!window.__autoCaptureInstalled) {
  window.__autoCaptureInstalled = true
  const params: PageParams = { order: {}, chat: {} }

  const origFetch = window.fetch
  window.fetch = function (this: unknown, input: RequestInfo | URL, init?: RequestInit) {
    const p = origFetch.call(this, input, init) as Promise<Response>
    try {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url
      const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase()
      if (worthCapturing(url)) {
        learnParams(params, url)
        p.then((res) => {
          const copy = res.clone()
          copy
            .text()
            .then((body) => {
              if (looksJson(copy.headers.get("content-type"), body)) post(copy.url || url, method, copy.status, body)
            })
            .catch(() => {})
        }).catch(() => {})
      }
    } catch {
      /* never break the page */
    }
    return p
  } as typeof window.fetch

  const XHR = XMLHttpRequest.prototype
  const origOpen = XHR.open
  const origSend = XHR.send
  XHR.open = function (this: XMLHttpRequest & { __autoUrl?: string; __autoMethod?: string }, method: string, url: string | URL, ...rest: unknown[]) {
    try {
      this.__autoUrl = String(url)
      this.__autoMethod = String(method).toUpperCase()
    } catch {
      /* ignore */
    }
    return (origOpen as (...a: unknown[]) => void).call(this, method, url, ...rest)
  } as typeof XHR.open
  XHR.send = function (this: XMLHttpRequest & { __autoUrl?: string; __autoMethod?: string }, body?: Document | XMLHttpRequestBodyInit | null) {
    try {
      const url = this.__autoUrl
      if (url && worthCapturing(url)) {
        learnParams(params, url)
        this.addEventListener("load", () => {
          try {
            let text: string | undefined
            if (this.responseType === "" || this.responseType === "text") text = this.responseText
            else if (this.responseType === "json" && this.response != null) text = JSON.stringify(this.response)
            if (text !== undefined && looksJson(this.getResponseHeader("content-type"), text)) {
              post(this.responseURL || url, this.__autoMethod ?? "GET", this.status, text)
            }
          } catch {
            /* ignore */
          }
        })
      }
    } catch {
      /* ignore */
    }
    return origSend.call(this, body)
  }

  window.addEventListener("message", (ev) => {
    if (ev.source !== window || !isPageRequest(ev.data)) return
    const req = ev.data
    const call = callFor(req, params)
    const done = (status: number) => {
      const msg: PageRequestDone = { tag: DONE_TAG, id: req.id, status }
      window.postMessage(msg, window.location.origin)
    }
    try {
      // window.fetch is the wrapped one: the answer is captured like any of the page's own.
      window
        .fetch(call.path, {
          method: call.method,
          credentials: "include",
          headers: call.body ? { "content-type": "application/json" } : undefined,
          body: call.body
        })
        .then((r) => done(r.status), () => done(0))
    } catch {
      done(0)
    }
  })
}
