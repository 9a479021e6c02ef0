import { describe, expect, it } from "vitest"

import { nextPart, partsOf, partsShown, typeParts, type ChatHands, type ShopMessage } from "../lib/parts"

const PARTS = [
  "Halo kak budi_88, terima kasih atas pesanan 2612AB!\n\nSteam 60K (3x):\n1. STM-0001-AAAA",
  "2. STM-0002-BBBB\n3. STM-0003-CCCC",
  "Cara pakai: buka Steam, pilih Tukarkan Kode Voucher, tempel kodenya."
]

const at = (texts: string[], ts = 1000): ShopMessage[] => texts.map((text) => ({ text, ts }))

/** A chat page: what the shop sent (as the page renders it), and what got typed. Each message
 * typed is a second later than the one before. */
function chat(shown: ShopMessage[], opts: { swallow?: number; busy?: boolean } = {}) {
  const messages = [...shown]
  const typed: string[] = []
  let clock = 2000
  const hands: ChatHands = {
    shopMessages: () => messages,
    typeAndSend: async (part, index) => {
      if (opts.busy) return false
      typed.push(part)
      // A part the page never shows (it did not go out): the wait for it runs out.
      if (index !== opts.swallow) messages.push({ text: part.replace(/\n/g, " \n"), ts: clock++ })
      return true
    },
    waitFor: async (pred) => pred()
  }
  return { messages, typed, hands }
}

describe("parts typed in order, confirmed when all show", () => {
  it("types every part of a fresh delivery once, in order", async () => {
    const c = chat(at(["an older message"]))
    expect(await typeParts(PARTS, c.hands)).toBe("done")
    expect(c.typed).toEqual(PARTS)
  })

  it("resumes a half-typed delivery from the first part the chat does not show, repeating none", async () => {
    // The tab closed after the first part went out.
    const c = chat(at([PARTS[0]]))
    expect(await typeParts(PARTS, c.hands)).toBe("done")
    expect(c.typed).toEqual([PARTS[1], PARTS[2]])
    // Everything shows: a second run types nothing and says done (the confirm the crash lost).
    const again = chat(c.messages)
    expect(await typeParts(PARTS, again.hands)).toBe("done")
    expect(again.typed).toEqual([])
  })

  it("stops at a part that does not show, and goes on from it next time", async () => {
    const c = chat([], { swallow: 1 })
    expect(await typeParts(PARTS, c.hands)).toBe("stopped")
    expect(c.typed).toEqual([PARTS[0], PARTS[1]])
    const next = chat(c.messages)
    expect(await typeParts(PARTS, next.hands)).toBe("done")
    expect(next.typed).toEqual([PARTS[1], PARTS[2]])
  })

  it("types nothing over the seller's own typing", async () => {
    const c = chat(at([PARTS[0]]), { busy: true })
    expect(await typeParts(PARTS, c.hands)).toBe("stopped")
    expect(c.typed).toEqual([])
  })

  it("counts two alike parts only with two messages, whatever order the page lists them in", async () => {
    const parts = ["Halo kak", "KEY-1", "Halo kak", "KEY-2"]
    expect(partsShown(parts, at(["KEY-1", "Halo kak"]))).toEqual([true, true, false, false])
    expect(nextPart(parts, at(["KEY-1", "Halo kak"]))).toBe(2)
    const c = chat(at(["Halo kak", "KEY-1", "Halo kak"]))
    expect(await typeParts(parts, c.hands)).toBe("done")
    expect(c.typed).toEqual(["KEY-2"])
    // A part the seller sent edited counts as sent.
    expect(nextPart(parts, at(["Halo kak"]), new Set([1]))).toBe(2)
  })

  it("does not count a repeat buyer's earlier delivery, whose instructions read the same", async () => {
    const steps = "Cara pakai: buka Steam, pilih Tukarkan Kode Voucher, tempel kodenya."
    const earlier = [
      { text: "Halo kak budi_88, terima kasih atas pesanan 2612AA!", ts: 900 },
      { text: "1. STM-0009-ZZZZ", ts: 901 },
      { text: steps, ts: 902 }
    ]
    const parts = ["Halo kak budi_88, terima kasih atas pesanan 2612AB!", "1. STM-0001-AAAA", steps]
    const c = chat(earlier)
    expect(await typeParts(parts, c.hands)).toBe("done")
    expect(c.typed).toEqual(parts)
    // Once this delivery's first part shows, its own later parts count again.
    expect(partsShown(parts, [...earlier, { text: parts[0], ts: 950 }, { text: steps, ts: 951 }])).toEqual([true, false, true])
  })

  it("a reply, or a delivery from an AUTO without parts, is its text", () => {
    expect(partsOf({ text: "one message" })).toEqual(["one message"])
    expect(partsOf({ text: "a b", parts: [] })).toEqual(["a b"])
    expect(partsOf({ text: "a b", parts: ["a", "b"] })).toEqual(["a", "b"])
  })
})
