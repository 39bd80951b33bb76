import { describe, expect, it } from 'vitest'
import { groupTarget, spanLabel, unroutedPath } from '../../src/shapes/span-label.js'

describe('spanLabel: a CLIENT span named after its method says where it went', () => {
  it('adds url.full, else the host, port and path template or path', () => {
    expect(spanLabel({ name: 'GET', kind: 'CLIENT', attributes: { 'url.full': 'https://api.example.com/v1/users/7' } })).toBe('GET https://api.example.com/v1/users/7')
    expect(spanLabel({ name: 'GET', kind: 'CLIENT', attributes: { 'server.address': 'inventory', 'server.port': 8080, 'url.template': '/stock/{sku}', 'url.path': '/stock/7' } })).toBe('GET inventory:8080/stock/{sku}')
    expect(spanLabel({ name: 'POST', kind: 'CLIENT', attributes: { 'server.address': 'inventory', 'url.path': '/stock' } })).toBe('POST inventory/stock')
    expect(spanLabel({ name: 'GET', kind: 'CLIENT', attributes: { 'http.url': 'http://old-sdk/x' } })).toBe('GET http://old-sdk/x')
  })

  it('leaves other spans, a name that says it already, and a span with nothing to add', () => {
    expect(spanLabel({ name: 'GET /users/:id', kind: 'SERVER', attributes: { 'url.full': 'http://app/users/7' } })).toBe('GET /users/:id')
    expect(spanLabel({ name: 'GET http://app/x', kind: 'CLIENT', attributes: { 'url.full': 'http://app/x' } })).toBe('GET http://app/x')
    expect(spanLabel({ name: 'SELECT users', kind: 'CLIENT', attributes: { 'db.system.name': 'sqlite' } })).toBe('SELECT users')
  })
})

describe('spanLabel: a SERVER span named by its method alone (no route matched) says the path asked for', () => {
  it('adds url.path, else http.target without its query, else the path of url.full', () => {
    expect(spanLabel({ name: 'GET', kind: 'SERVER', attributes: { 'http.request.method': 'GET', 'url.path': '/nope' } })).toBe('GET /nope')
    expect(spanLabel({ name: 'POST', kind: 'SERVER', attributes: { 'http.method': 'POST', 'http.target': '/hooks?sig=1' } })).toBe('POST /hooks')
    expect(spanLabel({ name: 'GET', kind: 'SERVER', attributes: { 'url.full': 'http://shop:3000/nope?x=1' } })).toBe('GET /nope')
    expect(unroutedPath({ name: 'GET', kind: 'SERVER', attributes: { 'url.full': 'http://shop:3000/nope?x=1' } })).toBe('/nope')
  })

  it('leaves a SERVER span named by its route, and one no attribute gives a path for', () => {
    expect(spanLabel({ name: 'GET /users/:id', kind: 'SERVER', attributes: { 'url.path': '/users/7' } })).toBe('GET /users/:id')
    expect(spanLabel({ name: 'GET', kind: 'SERVER', attributes: { 'url.full': 'not a url' } })).toBe('GET')
    expect(spanLabel({ name: 'GET', kind: 'INTERNAL', attributes: { 'url.path': '/nope' } })).toBe('GET')
  })
})

describe('groupTarget: where a folded group of CLIENT spans went, said once', () => {
  const get = (attributes: Record<string, unknown>) => ({ name: 'GET', kind: 'CLIENT', attributes })
  it('gives the one target they share, else the origin or host they share', () => {
    expect(groupTarget([get({ 'url.full': 'http://inventory:8080/stock' }), get({ 'url.full': 'http://inventory:8080/stock' })])).toBe('http://inventory:8080/stock')
    expect(groupTarget([get({ 'url.full': 'http://inventory:8080/stock/1' }), get({ 'url.full': 'http://inventory:8080/stock/2' })])).toBe('http://inventory:8080')
    expect(groupTarget([get({ 'server.address': 'inventory', 'url.path': '/a' }), get({ 'server.address': 'inventory', 'url.path': '/b' })])).toBe('inventory')
  })

  it('gives nothing when they share nothing, when one says nothing, or for spans that are not CLIENT spans', () => {
    expect(groupTarget([get({ 'url.full': 'http://a/x' }), get({ 'url.full': 'http://b/x' })])).toBeUndefined()
    expect(groupTarget([get({ 'url.full': 'http://a/x' }), get({})])).toBeUndefined()
    expect(groupTarget([{ name: 'SELECT users', kind: 'CLIENT', attributes: {} }])).toBeUndefined()
    expect(groupTarget([{ name: 'render', kind: 'INTERNAL', attributes: { 'url.full': 'http://a/x' } }])).toBeUndefined()
  })
})
