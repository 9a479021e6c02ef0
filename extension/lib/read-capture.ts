// One captured Seller Centre response through every adapter: the orders and chat records it
// holds, and whether it must be kept as an unreadable sample (Shopee changed something). The
// content script and the `read-capture` replay tool both use this, so a sample replays exactly as
// the page read it.

import type { ChatRead } from "./adapters/chat"
import { readChat } from "./adapters/chat"
import { emptyRead, type OrderContext, type OrdersRead } from "./adapters/order-read"
import { readOrders } from "./adapters/orders"
import type { ChatConversation } from "./chat-model"
import { recordKind } from "./paths"
import { isObj } from "./util"

export interface CaptureRead {
  orders: OrdersRead
  chat: ChatRead
  /** Parsed JSON (undefined when the text is not JSON). */
  json?: unknown
  /** Why this response is kept as an unreadable sample; undefined when it was read. */
  unreadable?: string
}

const emptyChat = (): ChatRead => ({ conversations: [], messages: [], recognized: false, skipped: 0, problems: [] })

/** An error answer ({code: 404, message} without data) says no, it is not a changed shape. */
function errorAnswer(json: unknown): boolean {
  return isObj(json) && json.data === undefined && ((typeof json.code === "number" && json.code !== 0) || (typeof json.error === "string" && json.error !== ""))
}

export function readCaptured(url: string, text: string, ctx: OrderContext, known: Map<string, ChatConversation> = new Map()): CaptureRead {
  const kind = recordKind(url)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { orders: emptyRead(), chat: emptyChat(), unreadable: kind ? `not JSON on ${kind === "orders" ? "an order" : "a chat"} path` : undefined }
  }
  const orders = kind === "chat" ? emptyRead() : readOrders(json, ctx)
  const chat = kind === "orders" ? emptyChat() : readChat(json, url, known)
  const out: CaptureRead = { orders, chat, json }
  const skipped = orders.skipped + chat.skipped
  const flagged = orders.orders.filter((o) => o.status.includes("[money unclear")).length
  if (skipped) out.unreadable = `${skipped} record(s) skipped: ${[...new Set([...orders.problems, ...chat.problems])].join("; ")}`
  else if (flagged) out.unreadable = `${flagged} order(s) whose total and lines disagree by a scale factor`
  else if (errorAnswer(json)) out.unreadable = undefined
  else if (kind === "orders" && !orders.recognized) out.unreadable = "no order records in a response on an order path"
  else if (kind === "chat" && !chat.recognized) out.unreadable = "no chat records in a response on a chat path"
  return out
}
