// Requests the content script asks the page's own world to make (contents/capture.ts), so that
// they go out as Seller Centre's own calls do: through the page's fetch (and whatever Shopee's
// scripts add to it), with the page's cookies and the query parameters the page itself uses
// (SPC_CDS for orders; _uid, _v, csrf_token for the chat). Only two requests exist, built here
// from validated ids: never a path or body from a message.

export const REQUEST_TAG = "auto-shopee-request/1"
export const DONE_TAG = "auto-shopee-request-done/1"

export type PageRequest =
  | { tag: typeof REQUEST_TAG; id: string; kind: "order-detail"; order_id: string }
  | { tag: typeof REQUEST_TAG; id: string; kind: "open-conversation"; to_id: number; shop_id: string }

export interface PageRequestDone {
  tag: typeof DONE_TAG
  id: string
  /** HTTP status; 0 when the request failed. */
  status: number
}

export function isPageRequest(d: unknown): d is PageRequest {
  if (typeof d !== "object" || d === null) return false
  const r = d as Record<string, unknown>
  if (r.tag !== REQUEST_TAG || typeof r.id !== "string") return false
  if (r.kind === "order-detail") return typeof r.order_id === "string" && /^\d{1,30}$/.test(r.order_id)
  if (r.kind === "open-conversation") return typeof r.to_id === "number" && Number.isSafeInteger(r.to_id) && r.to_id > 0 && typeof r.shop_id === "string" && /^\d{1,30}$/.test(r.shop_id)
  return false
}

export function isDone(d: unknown): d is PageRequestDone {
  return typeof d === "object" && d !== null && (d as PageRequestDone).tag === DONE_TAG && typeof (d as PageRequestDone).id === "string"
}

/** The query parameters the page's own calls carry, remembered from them (never invented). */
export interface PageParams {
  /** From /api/v3/order/... calls: SPC_CDS, SPC_CDS_VER. */
  order: Record<string, string>
  /** From /webchat/api/... calls: _uid, _v, csrf_token, SPC_CDS_CHAT, x-shop-region, _api_source. */
  chat: Record<string, string>
}

const ORDER_PARAMS = ["SPC_CDS", "SPC_CDS_VER"]
const CHAT_PARAMS = ["_uid", "_v", "csrf_token", "SPC_CDS_CHAT", "x-shop-region", "_api_source"]

/** Remembers the session parameters of one of the page's own calls. */
export function learnParams(params: PageParams, url: string): void {
  let u: URL
  try {
    u = new URL(url, "https://seller.shopee.co.id/")
  } catch {
    return
  }
  const target = /^\/api\/v3\/order\//.test(u.pathname) ? params.order : /^\/webchat\/api\//.test(u.pathname) ? params.chat : undefined
  if (!target) return
  for (const k of target === params.order ? ORDER_PARAMS : CHAT_PARAMS) {
    const v = u.searchParams.get(k)
    if (v) target[k] = v
  }
}

/** The call for a request, relative to the page's origin. */
export function callFor(req: PageRequest, params: PageParams): { path: string; method: "GET" | "POST"; body?: string } {
  if (req.kind === "order-detail") {
    const q = new URLSearchParams({ order_id: req.order_id, ...params.order })
    return { path: `/api/v3/order/get_one_order?${q}`, method: "GET" }
  }
  // The chat's "open conversation" (named in a public Seller Centre map; its body is inferred:
  // the buyer's id and the shop, as the send call carries them).
  const q = new URLSearchParams({ ...params.chat, shop_id: req.shop_id })
  return { path: `/webchat/api/v1.2/conversation/open?${q}`, method: "POST", body: JSON.stringify({ to_id: req.to_id, shop_id: Number(req.shop_id), biz_id: 0 }) }
}
