import { readFileSync } from "node:fs"
import { join } from "node:path"

import { describe, expect, it } from "vitest"

import { REGIONS } from "../lib/region"

const root = join(__dirname, "..")
const SELLER_CENTRE = REGIONS.map((r) => `https://${r.host}/*`)

describe("permissions", () => {
  it("host permissions are Seller Centre on every regional domain and 127.0.0.1, nothing else", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
    expect(pkg.manifest.host_permissions).toEqual([...SELLER_CENTRE, "http://127.0.0.1/*"])
    expect(REGIONS.map((r) => r.host.replace("seller.shopee.", ""))).toEqual(["co.id", "vn", "co.th", "com.my", "ph", "sg", "tw", "com.br", "com.mx", "cl", "com.co"])
  })

  it("both content scripts run on exactly those Seller Centre domains", () => {
    for (const f of ["contents/capture.ts", "contents/seller.ts"]) {
      const src = readFileSync(join(root, f), "utf8")
      const block = src.slice(src.indexOf("matches: ["), src.indexOf("]", src.indexOf("matches: [")))
      expect([...block.matchAll(/"([^"]+)"/g)].map((m) => m[1])).toEqual(SELLER_CENTRE)
    }
  })
})
