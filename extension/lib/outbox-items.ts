// What AUTO hands out (pending deliveries and replies) as the items the chat page types. Both
// come in chat-sized parts, typed in order by the same path (lib/parts.ts) and reported sent
// when every part shows; an AUTO from before parts sends a text alone, which is then the one
// part.

import type { PendingDelivery, PendingReply } from "./contract"
import type { WorkItem } from "./messages"

/** Epoch seconds of an ISO time (0 when absent or unreadable). */
export function secs(iso: string | undefined): number {
  const t = iso ? Date.parse(iso) : NaN
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000)
}

function partsOr(parts: string[] | undefined, text: string): string[] {
  return parts?.length ? parts : [text]
}

export function deliveryItem(x: PendingDelivery, leasedAt: number): WorkItem {
  const key = `d:${x.id}`
  return { key, kind: "delivery", id: x.id, shop: x.shop, buyer: x.buyer, order_sn: x.order_sn, text: x.message, parts: partsOr(x.parts, x.message), createdAt: secs(x.created_at), leasedAt }
}

export function replyItem(x: PendingReply, leasedAt: number): WorkItem & { conversation_id: string } {
  const key = `r:${x.id}`
  return { key, kind: "reply", id: x.id, shop: x.shop, buyer: x.buyer, conversation_id: x.conversation_id, text: x.text, parts: partsOr(x.parts, x.text), createdAt: secs(x.created_at), leasedAt }
}
