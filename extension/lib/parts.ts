// A delivery or a reply comes in chat-sized parts (Shopee chat refuses long messages): they are
// typed one after the other, in order, and it is confirmed only when every part shows in the
// chat. What the chat shows is the only progress there is, so a delivery half-typed when the tab
// closed goes on from the first part the chat does not show, and never types one it does.

import type { WorkItem } from "./messages"
import { sameText } from "./util"

/** The parts of a work item, in order (an item from an AUTO before parts: its text). */
export function partsOf(item: Pick<WorkItem, "parts" | "text">): string[] {
  return item.parts && item.parts.length ? item.parts : [item.text]
}

/** A message the shop sent in a conversation: its text, and when (epoch seconds; 0 unknown). */
export interface ShopMessage {
  text: string
  ts: number
}

/**
 * Which parts the chat shows, given the shop's messages in the conversation since the item was
 * made. Each message stands for one part at most, so two alike parts need two messages. The first
 * part (it names the order) anchors the rest: a later part is not older than it, so a repeat
 * buyer's earlier delivery, whose instructions read the same, does not count for this one. Order
 * within a second is not relied on: messages of one second may come back in any order.
 */
export function partsShown(parts: string[], shop: ShopMessage[]): boolean[] {
  const used = new Set<number>()
  let anchor = 0
  const firsts = shop.map((m, i) => i).filter((i) => sameText(shop[i].text, parts[0] ?? ""))
  if (firsts.length) {
    const dated = firsts.filter((i) => shop[i].ts > 0)
    const first = dated.length ? dated.reduce((a, b) => (shop[b].ts < shop[a].ts ? b : a)) : firsts[0]
    used.add(first)
    anchor = shop[first].ts
  }
  return parts.map((part, p) => {
    if (p === 0) return firsts.length > 0
    const i = shop.findIndex((m, j) => !used.has(j) && (m.ts === 0 || m.ts >= anchor) && sameText(m.text, part))
    if (i < 0) return false
    used.add(i)
    return true
  })
}

/** The first part the chat does not show (or that was not sent by hand), or -1: all there. */
export function nextPart(parts: string[], shop: ShopMessage[], sentByHand: ReadonlySet<number> = new Set()): number {
  return partsShown(parts, shop).findIndex((shown, i) => !shown && !sentByHand.has(i))
}

/** What typing a delivery needs from the chat page. */
export interface ChatHands {
  /** The shop's messages in this conversation since the item was made, as the page shows them. */
  shopMessages(): ShopMessage[]
  /** Types a part into the input and sends it; false when it could not (input busy, not ours). */
  typeAndSend(part: string, index: number): Promise<boolean>
  /** Waits (bounded) for a condition on the page; whether it came. */
  waitFor(pred: () => boolean, timeoutMs: number): Promise<boolean>
}

/**
 * Types the parts the chat does not show yet, in order, each once it can see the one before in
 * the chat. "done" when every part shows (the caller confirms the delivery), "stopped" when a
 * part could not be typed or did not show in time (the next tick goes on from the chat).
 */
export async function typeParts(parts: string[], hands: ChatHands, waitMs = 10_000): Promise<"done" | "stopped"> {
  // Each pass types one part; bounded, so a page that never shows a part cannot loop forever.
  for (let pass = 0; pass <= parts.length; pass++) {
    const next = nextPart(parts, hands.shopMessages())
    if (next < 0) return "done"
    if (!(await hands.typeAndSend(parts[next], next))) return "stopped"
    if (!(await hands.waitFor(() => partsShown(parts, hands.shopMessages())[next], waitMs))) return "stopped"
  }
  return nextPart(parts, hands.shopMessages()) < 0 ? "done" : "stopped"
}
