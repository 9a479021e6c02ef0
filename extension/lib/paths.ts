// Seller Centre's URL paths that carry orders or chat records. A response on one of them that
// yields nothing readable (or skips records) means Shopee changed something: it is kept as a
// redacted sample. Other API calls on the same pages (tab counts, buttons, tracking) are not.

const ORDER_RECORD_PATHS = [
  /\/api\/v3\/order\/get_order_list\/?$/,
  /\/api\/v3\/order\/get_one_order\/?$/,
  /\/api\/v3\/order\/search_order_list_index\/?$/,
  /\/api\/v3\/order\/get_order_list_card_list\/?$/,
  /\/api\/v3\/order\/get_order_detail\/?$/
]

const CHAT_RECORD_PATHS = [
  /\/webchat\/api\/v1\.2\/conversations\/?$/,
  /\/webchat\/api\/v1\.2\/conversations\/[^/]+\/messages\/?$/,
  /\/webchat\/api\/v1\.2\/messages\/?$/,
  /\/webchat\/api\/v1\.2\/mini\/conversations\/?$/,
  /\/webchat\/api\/v1\.2\/mini\/messages\/?$/,
  /\/webchat\/api\/v1\.2\/conversation\/open\/?$/
]

/** The path of a URL, without host or query (queries carry session tokens: SPC_CDS, csrf_token). */
export function pathOf(url: string): string {
  try {
    return new URL(url, "https://seller.shopee.co.id/").pathname
  } catch {
    return ""
  }
}

export type RecordKind = "orders" | "chat"

export function recordKind(url: string): RecordKind | undefined {
  const p = pathOf(url)
  if (ORDER_RECORD_PATHS.some((r) => r.test(p))) return "orders"
  if (CHAT_RECORD_PATHS.some((r) => r.test(p))) return "chat"
  return undefined
}

/** The conversation id in a v1.2 messages path (/webchat/api/v1.2/conversations/{id}/messages). */
export function conversationOfPath(url: string): string | undefined {
  const m = pathOf(url).match(/\/conversations\/([0-9A-Za-z_-]{1,64})\/messages\/?$/)
  return m?.[1]
}
