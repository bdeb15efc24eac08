import { describe, expect, it } from 'vitest'
import { ConfigError, HELP_TEXT, parseConfig } from '../config.js'

describe('cluster options', () => {
  it('are off without --redis: the hub runs on its own, as before', () => {
    const config = parseConfig([])
    expect(config !== 'help' && config.cluster).toBeUndefined()
  })

  it('take the Redis URL, the node id and the advertised URL', () => {
    const config = parseConfig(['--redis', 'redis://10.0.0.2:6379', '--node-id', 'hub-1', '--advertise-url', 'http://10.0.0.5:8080'])
    expect(config !== 'help' && config.cluster).toEqual({ redisUrl: 'redis://10.0.0.2:6379', nodeId: 'hub-1', advertiseUrl: 'http://10.0.0.5:8080' })
    expect(HELP_TEXT).toContain('--redis <url>')
  })

  it('refuse what cannot work, saying why', () => {
    expect(() => parseConfig(['--node-id', 'a'])).toThrow(new ConfigError('--node-id and --advertise-url need --redis'))
    expect(() => parseConfig(['--redis', 'localhost:6379'])).toThrow(/--redis must be a redis:\/\/host:port URL/)
    expect(() => parseConfig(['--redis', 'redis://r', '--registry', 'memory'])).toThrow(/leave out --registry and --data-dir/)
    expect(() => parseConfig(['--redis', 'redis://r', '--advertise-url', 'ftp://x'])).toThrow(/--advertise-url must be an http/)
    expect(() => parseConfig(['--redis', 'redis://r', '--node-id', 'a b'])).toThrow(/--node-id must be/)
  })
})
