import { execFileSync, spawnSync } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

import { describe, expect, it } from "vitest"

import * as SC from "../fixtures/seller-centre"

const ROOT = resolve(__dirname, "..")

describe("npm run --silent read-capture -- <url-path> <file.json>", () => {
  it("prints exactly the documented JSON on stdout for a saved response", () => {
    const dir = mkdtempSync(join(tmpdir(), "read-capture-"))
    const file = join(dir, "cards.json")
    writeFileSync(file, JSON.stringify(SC.cardListResponse([SC.makeOrder(1, SC.BUYERS_TH[0], { region: "TH" })])))
    const out = execFileSync("npm", ["run", "--silent", "read-capture", "--", `https://${SC.HOST.TH}${SC.PATHS.orderCards}`, file], { cwd: ROOT, encoding: "utf8" })
    const parsed = JSON.parse(out)
    expect(Object.keys(parsed)).toEqual(["orders", "conversations", "messages", "unreadable"])
    expect(parsed.unreadable).toBe(0)
    expect(parsed.orders[0]).toMatchObject({ order_sn: "251125T001Q8T2X", status: "READY_TO_SHIP", currency: "THB", total: 95.5 })
  }, 30_000)

  it("says how to call it, with a non-zero exit, when an argument is missing", () => {
    const r = spawnSync("npm", ["run", "--silent", "read-capture", "--", "/api/v3/order/get_order_list_card_list"], { cwd: ROOT, encoding: "utf8" })
    expect(r.status).toBe(2)
    expect(r.stderr).toContain("usage: npm run --silent read-capture -- <url-path> <file.json>")
    expect(r.stdout).toBe("")
  }, 30_000)
})
