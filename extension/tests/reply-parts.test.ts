import { describe, expect, it } from "vitest"

import type { PendingDelivery, PendingReply } from "../lib/contract"
import { deliveryItem, replyItem } from "../lib/outbox-items"
import { partsOf, typeParts, type ChatHands, type ShopMessage } from "../lib/parts"

// An FAQ answer longer than one chat message, as AUTO hands it out: its text, and its parts.
const PARTS = [
  "Cara klaim garansi: kirim nomor pesanan dan tangkapan layar pesan error di chat ini ya kak.",
  "Kami cek dalam 1x24 jam; kalau kodenya memang bermasalah, kami kirim kode pengganti di chat ini.",
  "Garansi berlaku 7 hari sejak kode dikirim. Terima kasih sudah belanja di toko kami!"
]

const reply = (p: Partial<PendingReply> = {}): PendingReply => ({
  id: 41,
  conversation: 7,
  shop: "880011223",
  conversation_id: "c-9001",
  buyer: { username: "budi_santoso", user_id: 9001 },
  message_id: 12,
  text: PARTS.join("\n"),
  parts: PARTS,
  parts_sent: 0,
  source: "faq",
  status: "pending",
  created_at: "2026-12-06T10:00:00Z",
  ...p
})

/** The chat page of the reply's buyer: what the shop sent, what got typed; `swallow` is a part
 * the page never shows (it did not go out). */
function chat(shown: ShopMessage[], swallow?: number) {
  const messages = [...shown]
  const typed: string[] = []
  let clock = 1_796_551_300
  const hands: ChatHands = {
    shopMessages: () => messages,
    typeAndSend: async (part, index) => {
      typed.push(part)
      if (index !== swallow) messages.push({ text: part, ts: clock++ })
      return true
    },
    waitFor: async (pred) => pred()
  }
  return { messages, typed, hands }
}

/** What the chat page does with an item (contents/seller.ts `handle`): types its parts, and
 * reports it sent only when they all show. */
async function handle(item: ReturnType<typeof replyItem>, hands: ChatHands, confirmed: string[]) {
  if ((await typeParts(partsOf(item), hands)) === "done") confirmed.push(item.key)
}

describe("a reply in parts", () => {
  it("is typed part by part, in order, and confirmed only when every part shows", async () => {
    const item = replyItem(reply(), 5)
    expect(item).toMatchObject({ key: "r:41", kind: "reply", conversation_id: "c-9001", text: PARTS.join("\n"), parts: PARTS })
    const confirmed: string[] = []

    // The second part never shows: the first is in the chat, the reply is not confirmed.
    const page = chat([], 1)
    await handle(item, page.hands, confirmed)
    expect(page.typed).toEqual(PARTS.slice(0, 2))
    expect(page.messages.map((m) => m.text)).toEqual([PARTS[0]])
    expect(confirmed).toEqual([])

    // The next tick goes on from the second part; the first is not typed again.
    const next = chat(page.messages)
    await handle(item, next.hands, confirmed)
    expect(next.typed).toEqual(PARTS.slice(1))
    expect(next.messages.map((m) => m.text)).toEqual(PARTS)
    expect(confirmed).toEqual(["r:41"])
  })

  it("from an AUTO before parts is its text, one message", async () => {
    const item = replyItem(reply({ parts: undefined, parts_sent: undefined, text: "Halo kak, stok ready." }), 5)
    expect(partsOf(item)).toEqual(["Halo kak, stok ready."])
    const page = chat([])
    const confirmed: string[] = []
    await handle(item, page.hands, confirmed)
    expect(page.typed).toEqual(["Halo kak, stok ready."])
    expect(confirmed).toEqual(["r:41"])
  })

  it("and a delivery are read the same way", () => {
    const d: PendingDelivery = { id: 3, order_id: 9, order_sn: "2612AB", shop: "880011223", buyer: { username: "b" }, message: "m1\nm2", parts: ["m1", "m2"], attempts: 1, created_at: "2026-12-06T10:00:00Z" }
    expect(deliveryItem(d, 5)).toMatchObject({ key: "d:3", kind: "delivery", text: "m1\nm2", parts: ["m1", "m2"], createdAt: 1_796_551_200, leasedAt: 5 })
    expect(deliveryItem({ ...d, parts: undefined }, 5).parts).toEqual(["m1\nm2"])
    expect(replyItem(reply(), 5).createdAt).toBe(1_796_551_200)
  })
})
