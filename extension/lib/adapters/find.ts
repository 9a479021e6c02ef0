import { isObj, objectArrays, type Obj } from "../util"

/**
 * Every object in a JSON response that satisfies `is`: members of arrays anywhere in it (bounded
 * depth), or the response itself / its `data` / `response` member when that is one record.
 */
export function findRecords(body: unknown, is: (o: Obj) => boolean): Obj[] {
  const out: Obj[] = []
  for (const arr of objectArrays(body)) for (const o of arr) if (is(o)) out.push(o)
  if (out.length) return out
  const singles = [body]
  if (isObj(body)) singles.push(body.data, body.response, isObj(body.data) ? body.data.order : undefined)
  for (const s of singles) if (isObj(s) && is(s)) return [s]
  return []
}
