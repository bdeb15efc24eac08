import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { assertWebDist, localFilesOf, parseWebDist } from './web-dist.js'

const made: string[] = []
function dist(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'web-dist-'))
  made.push(dir)
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  return dir
}
afterEach(() => made.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })))

const INDEX = '<script type="module" crossorigin src="/assets/index-a1.js"></script><link rel="stylesheet" href="/assets/index-b2.css"><link rel="icon" href="data:,">'

describe('web dist for a bench', () => {
  it('reads [LABEL=]DIR, the label defaulting to before; one entry only', () => {
    expect(parseWebDist('main=/tmp/x/apps/web/dist')).toEqual({ label: 'main', dir: '/tmp/x/apps/web/dist' })
    expect(parseWebDist('/tmp/x/apps/web/dist')).toEqual({ label: 'before', dir: '/tmp/x/apps/web/dist' })
    expect(() => parseWebDist('main=')).toThrow('--before-dist')
    expect(() => parseWebDist('a=/x,b=/y')).toThrow('--before-dist')
  })

  it("lists the files index.html loads from the app's origin", () => {
    expect(localFilesOf(INDEX)).toEqual(['assets/index-a1.js', 'assets/index-b2.css'])
  })

  it('accepts a complete dist and names what is missing otherwise', () => {
    expect(() => assertWebDist(dist({ 'index.html': INDEX, 'assets/index-a1.js': '', 'assets/index-b2.css': '' }), '--before-dist')).not.toThrow()
    expect(() => assertWebDist(dist({ 'index.html': INDEX, 'assets/index-b2.css': '' }), '--before-dist')).toThrow(/loads assets\/index-a1\.js, not in/)
    expect(() => assertWebDist('main=/nowhere', '--before-dist')).toThrow(/no main=\/nowhere\/index\.html/)
  })
})
