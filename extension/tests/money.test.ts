import { describe, expect, it } from "vitest"

import { readMoney, scaleConflict, scaleOf, SCALE } from "../lib/money"

describe("money to the engine's units, whatever the scale", () => {
  it("tells the scale of one amount when its shape says it", () => {
    expect(scaleOf("152000.00", "IDR")).toBe(1) // decimal strings are amounts as shown
    expect(scaleOf(6350000000, "IDR")).toBe(SCALE) // Rp 6.35 billion for one order is not plausible
    expect(scaleOf(63500, "IDR")).toBe(1) // 0.635 rupiah is not an amount
    expect(scaleOf(9550000, "THB")).toBe(SCALE)
    expect(scaleOf(12350000, "BRL")).toBe(SCALE)
    expect(scaleOf(6500000, "IDR")).toBeUndefined() // Rp 6.5 million or Rp 65: cannot tell alone
    expect(scaleOf("abc", "IDR")).toBe("bad")
  })

  it("reads a total with no line prices at its plausible scale, and leaves an ambiguous one out", () => {
    expect(readMoney(6350000000, [{ price: undefined, quantity: 1 }], "IDR")).toEqual({ total: 63500, prices: [undefined] })
    expect(readMoney(6500000, [], "IDR")).toEqual({ prices: [] })
  })

  it("decides an ambiguous total by the lines' prices", () => {
    expect(readMoney(6500000, [{ price: "65000.00", quantity: 100 }], "IDR")).toEqual({ total: 6500000, prices: [65000] })
    expect(readMoney(6500000, [{ price: "65.00", quantity: 1 }], "IDR")).toEqual({ total: 65, prices: [65] })
  })

  it("normalises scaled lines and a plain total alike", () => {
    expect(readMoney("127000.00", [{ price: 6350000000, quantity: 2 }], "IDR")).toEqual({ total: 127000, prices: [63500] })
  })

  it("flags total and lines that disagree by the factor", () => {
    const r = readMoney("6350000000.00", [{ price: "63500.00", quantity: 1 }], "IDR")
    expect(r.conflict).toMatch(/differ by about 100000x/)
    expect(scaleConflict(63500, 6350000000)).toBe(true)
    expect(scaleConflict(63500, 50000)).toBe(false) // a discount, not a scale
  })
})
