// Messages between the content script, the popup and the background service worker.

import type { MessageInput, OrderInput, TodayStats } from "./contract"
import type { Sample } from "./samples"

export interface ConvRef {
  conversation_id: string
  shop_id?: string
  buyer_id?: number
  buyer_name: string
}

/** Something to type into a buyer's chat: a delivery (d:ID) or a reply (r:ID). */
export interface WorkItem {
  key: string
  kind: "delivery" | "reply"
  id: number
  shop: string
  buyer: { username: string; user_id?: number | null }
  conversation_id?: string
  order_sn?: string
  /** The whole text (a delivery's message, a reply). */
  text: string
  /** What is typed, one chat message each, in order: a delivery's or reply's chat-sized parts
   * (absent on items kept from an older version: then the text is the one part). */
  parts?: string[]
  /** When AUTO made it (epoch seconds): older chat messages cannot be it. */
  createdAt: number
  leasedAt: number
}

export type ConnState = "unpaired" | "connected" | "offline" | "revoked" | "error"

export interface Status {
  conn: ConnState
  connMessage: string
  appUrl: string
  paired: boolean
  autoSend: boolean
  queued: number
  failed: number
  retryAt: number
  waitingToType: number
  today?: TodayStats
  todayLocal: { orders: number }
  warnings: number
  /** Redacted samples of Seller Centre responses that could not be read (the last 50). */
  samples: number
  lastSamplePath?: string
}

/** What the background answers a chat page's "work" request. */
export interface WorkAnswer {
  items: Array<WorkItem & { conversation_id: string }>
  /** Deliveries whose buyer has no conversation listed: the page opens one by the buyer's id. */
  unmatched: WorkItem[]
  autoSend: boolean
}

export type Request =
  | { type: "hello"; host: string }
  | { type: "orders"; host: string; source: "json" | "dom"; orders: OrderInput[]; shop?: string }
  | { type: "buyer-messages"; messages: MessageInput[] }
  | { type: "work"; conversations: ConvRef[] }
  | { type: "sent"; key: string }
  | { type: "claim"; key: string }
  | { type: "warn"; count: number }
  | { type: "sample"; sample: Sample }
  | { type: "samples" }
  | { type: "clear-samples" }
  | { type: "status" }
  | { type: "pair"; code: string; appUrl: string }
  | { type: "set-app-url"; appUrl: string }
  | { type: "set-auto-send"; autoSend: boolean }
  | { type: "retry" }
  | { type: "unpair" }

export function send<T>(req: Request): Promise<T> {
  return chrome.runtime.sendMessage(req) as Promise<T>
}
