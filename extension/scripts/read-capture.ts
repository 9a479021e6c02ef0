// Replays a saved Seller Centre response — or the samples file the popup saves — through the
// same adapters the extension uses, and prints what they read as JSON on stdout:
//   {"orders": [...], "conversations": [...], "messages": [...], "unreadable": N}
// Usage (in extension/): npm run --silent read-capture -- <url-path> <file.json>
// <url-path> is the path the response came from (/api/v3/order/get_order_list_card_list), or a
// full https://seller.shopee.XX/... URL (its host sets the region). In a samples file each sample
// replays with its own path and host. This is how an adapter is fixed from a seller's sample.

import { readFileSync } from "node:fs"

import { replay } from "../lib/replay"

function fail(message: string, code: number): never {
  process.stderr.write(`read-capture: ${message}\n`)
  process.exit(code)
}

const [urlPath, file] = process.argv.slice(2).filter((a) => a !== "--")
if (!urlPath || !file) fail("usage: npm run --silent read-capture -- <url-path> <file.json>", 2)
let text: string
try {
  text = readFileSync(file, "utf8")
} catch (e) {
  fail(`cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`, 1)
}
const r = replay(urlPath, text)
if ("error" in r) fail(r.error, 1)
for (const note of r.notes) process.stderr.write(`read-capture: ${note}\n`)
process.stdout.write(`${JSON.stringify(r.output, null, 2)}\n`)
