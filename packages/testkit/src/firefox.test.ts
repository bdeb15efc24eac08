import { describe, expect, it } from 'vitest'
import { FIREFOX_MEDIA_PREFS, FIREFOX_QUIET_PREFS, firefoxPermissionDefaults } from './firefox.js'
import { isLoopbackAddress } from './loopback.js'

describe('firefoxPermissionDefaults', () => {
  it('grants camera and microphone to each origin, one tab-separated line each', () => {
    expect(firefoxPermissionDefaults(['http://127.0.0.1:8080', 'http://127.0.0.1:9090/some/path'])).toBe(
      'origin\tcamera\t1\thttp://127.0.0.1:8080\n' +
        'origin\tmicrophone\t1\thttp://127.0.0.1:8080\n' +
        'origin\tcamera\t1\thttp://127.0.0.1:9090\n' +
        'origin\tmicrophone\t1\thttp://127.0.0.1:9090\n',
    )
  })

  it('refuses something that is not an origin', () => {
    expect(() => firefoxPermissionDefaults(['127.0.0.1:8080 '])).toThrow()
  })
})

describe('Firefox prefs', () => {
  it('point every URL they set at loopback (or at nothing)', () => {
    const urls = Object.entries(FIREFOX_QUIET_PREFS).filter(([, value]) => typeof value === 'string' && value !== '')
    for (const [name, value] of urls) expect(isLoopbackAddress(new URL(value as string).hostname), name).toBe(true)
  })

  it('fake the devices and keep loopback host candidates unobfuscated', () => {
    expect(FIREFOX_MEDIA_PREFS).toMatchObject({
      'media.navigator.streams.fake': true,
      'media.navigator.permission.disabled': true,
      'media.peerconnection.ice.loopback': true,
      'media.peerconnection.ice.obfuscate_host_addresses': false,
    })
  })
})
