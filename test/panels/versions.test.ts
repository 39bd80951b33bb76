import { describe, expect, it } from 'vitest'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { VersionsPanel } from '../../src/panels/versions.js'

describe('VersionsPanel', () => {
  it("reads each dependency's installed version, also when its exports resolve package.json to a file of its own", () => {
    const app = mkdtempSync(join(tmpdir(), 'hdt-versions-'))
    try {
      writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'shop', version: '1.2.3', dependencies: { plain: '^1.0.0', wildcard: '^2.0.0', missing: '^3.0.0' } }))
      const pkg = (name: string, json: object) => {
        mkdirSync(join(app, 'node_modules', name, 'dist'), { recursive: true })
        writeFileSync(join(app, 'node_modules', name, 'package.json'), JSON.stringify({ name, ...json }))
      }
      pkg('plain', { version: '1.4.0' })
      // As @modelcontextprotocol/sdk does: `./*` maps package.json into dist, where a stub says only the module type.
      pkg('wildcard', { version: '2.5.1', exports: { './*': './dist/*' } })
      writeFileSync(join(app, 'node_modules', 'wildcard', 'dist', 'package.json'), JSON.stringify({ type: 'commonjs' }))
      const stats = new VersionsPanel({ cwd: app }).generateStats()
      expect(stats.app).toEqual({ name: 'shop', version: '1.2.3' })
      expect(stats.dependencies.map((d) => [d.name, d.installed])).toEqual([
        ['plain', '1.4.0'],
        ['wildcard', '2.5.1'],
        ['missing', undefined],
      ])
    } finally {
      rmSync(app, { recursive: true, force: true })
    }
  })
})
