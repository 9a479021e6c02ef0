// Which deliveries and replies belong to the conversations a chat page shows.

import type { ConvRef, WorkItem } from "./messages"

function sameShop(a: string | undefined, b: string | undefined): boolean {
  return !a || !b || a === b
}

/** The conversation a work item goes to, among those listed, if any. */
export function conversationFor(item: WorkItem, convs: ConvRef[]): ConvRef | undefined {
  if (item.kind === "reply") {
    return convs.find((c) => c.conversation_id === item.conversation_id && sameShop(c.shop_id, item.shop))
  }
  const uid = item.buyer.user_id ?? undefined
  const name = item.buyer.username.trim().toLocaleLowerCase()
  return (
    (uid !== undefined ? convs.find((c) => c.buyer_id === uid && sameShop(c.shop_id, item.shop)) : undefined) ??
    (name ? convs.find((c) => c.buyer_name.trim().toLocaleLowerCase() === name && sameShop(c.shop_id, item.shop)) : undefined)
  )
}

/** Work for these conversations (deliveries first, each kind oldest first), never anything already sent. */
export function workFor(outbox: WorkItem[], convs: ConvRef[], done: Set<string>): Array<WorkItem & { conversation_id: string }> {
  const out: Array<WorkItem & { conversation_id: string }> = []
  const order = (x: WorkItem) => (x.kind === "delivery" ? 0 : 1)
  for (const item of [...outbox].sort((a, b) => order(a) - order(b) || a.id - b.id)) {
    if (done.has(item.key)) continue
    const c = conversationFor(item, convs)
    if (c) out.push({ ...item, conversation_id: c.conversation_id })
  }
  return out
}

/**
 * Deliveries for buyers with no conversation among those listed: a buyer who paid without ever
 * writing to the shop. The chat page opens a conversation with them by their id (they need one).
 */
export function unmatchedDeliveries(outbox: WorkItem[], convs: ConvRef[], done: Set<string>): WorkItem[] {
  return outbox.filter(
    (item) => item.kind === "delivery" && !done.has(item.key) && typeof item.buyer.user_id === "number" && item.buyer.user_id > 0 && /^\d+$/.test(item.shop) && !conversationFor(item, convs)
  )
}
