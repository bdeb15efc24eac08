import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { CHROMIUM_FLAGS, OMNIBOX_POPUP_FEATURES, PLAYWRIGHT_DISABLED_FEATURES, chromiumArgs } from './chromium.js'

/** The `disabledFeatures` list in the installed playwright-core's bundled chromiumSwitches.ts. */
function installedPlaywrightDisabledFeatures(): string[] {
  const bundle = readFileSync(createRequire(import.meta.url).resolve('playwright-core/lib/coreBundle'), 'utf8')
  const list = /disabledFeatures = \[([\s\S]*?)\]\.filter\(Boolean\)/.exec(bundle)?.[1]
  if (list === undefined) throw new Error("playwright-core's disabledFeatures list not found in lib/coreBundle.js: see how this version passes --disable-features")
  const withoutComments = list.split('\n').map((line) => line.replace(/\/\/.*$/, '')).join('\n')
  return [...withoutComments.matchAll(/"([^"]+)"/g)].map((match) => match[1]!)
}

describe('the Chromium flags', () => {
  it("repeat playwright-core's disabled features (Chromium keeps only the last --disable-features)", () => {
    expect([...PLAYWRIGHT_DISABLED_FEATURES]).toEqual(installedPlaywrightDisabledFeatures())
  })

  it("pass one --disable-features: Playwright's list and the omnibox popups", () => {
    const disable = chromiumArgs().filter((flag) => flag.startsWith('--disable-features'))
    expect(disable).toEqual([`--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...OMNIBOX_POPUP_FEATURES].join(',')}`])
    expect(chromiumArgs({ autoplay: false }).filter((flag) => flag.startsWith('--disable-features'))).toEqual(disable)
    expect(CHROMIUM_FLAGS).toContain(disable[0])
  })
})
