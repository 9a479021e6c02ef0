// A delivery comes in chat-sized parts (Shopee chat refuses long messages): they are typed one
// after the other, in order, and the delivery is confirmed only when every part shows in the
// chat. What the chat shows is the only progress there is, so a delivery half-typed when the tab
// closed goes on from the first part the chat does not show, and never types one it does.

import type { WorkItem } from "./messages"
import { sameText } from "./util"

/** The parts of a work item, in order (a reply, or a delivery from an older AUTO: its text). */
export function partsOf(item: Pick<WorkItem, "parts" | "text">): string[] {
  return item.parts && item.parts.length ? item.parts : [item.text]
}

/**
 * Which parts the chat shows, given the shop's messages in the conversation since the item was
 * made. Each message stands for one part at most, so two alike parts need two messages. Order is
 * not relied on: messages sent within one second may come back in any order.
 */
export function partsShown(parts: string[], shopTexts: string[]): boolean[] {
  const used = new Set<number>()
  return parts.map((part) => {
    const i = shopTexts.findIndex((t, j) => !used.has(j) && sameText(t, part))
    if (i < 0) return false
    used.add(i)
    return true
  })
}

/** The first part the chat does not show (or that was not sent by hand), or -1: all there. */
export function nextPart(parts: string[], shopTexts: string[], sentByHand: ReadonlySet<number> = new Set()): number {
  return partsShown(parts, shopTexts).findIndex((shown, i) => !shown && !sentByHand.has(i))
}

/** What typing a delivery needs from the chat page. */
export interface ChatHands {
  /** The shop's messages in this conversation since the item was made, as the page shows them. */
  shopTexts(): string[]
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
    const next = nextPart(parts, hands.shopTexts())
    if (next < 0) return "done"
    if (!(await hands.typeAndSend(parts[next], next))) return "stopped"
    if (!(await hands.waitFor(() => partsShown(parts, hands.shopTexts())[next], waitMs))) return "stopped"
  }
  return nextPart(parts, hands.shopTexts()) < 0 ? "done" : "stopped"
}
