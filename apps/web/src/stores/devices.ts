// Device choice: the camera, microphone and speaker selects (pre-join and the call's Devices
// dialog). The lists, the switch and its fallbacks are the core's (`view.devices`, `selectDevice`);
// this store names the options, remembers the choice across visits (localStorage), hands it to each
// new conference before its preview or join, and keeps the speaker every remote element plays
// through (`setSinkId`, offered only where the browser has it).
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { DeviceKind, DeviceNotice } from '../conference/types'
import { useEnvironment } from '../environment'
import { chosenValue, deviceChoices, deviceNoticeText, devicesNamed, parseRemembered, speakerChoices, type DeviceListKind, type RememberedDevices } from '../lib/devices'
import { useSessionStore } from './session'

export const DEVICES_KEY = 'parley.devices'

export const useDevicesStore = defineStore('devices', () => {
  const { localStorage, canChooseSpeaker = false } = useEnvironment()
  const session = useSessionStore()
  const remembered = ref<RememberedDevices>(parseRemembered(readStorage()))

  function readStorage(): string | null {
    try {
      return localStorage.getItem(DEVICES_KEY)
    } catch {
      return null
    }
  }

  function remember(kind: DeviceListKind, deviceId: string) {
    remembered.value = { ...remembered.value, [kind]: deviceId }
    try {
      localStorage.setItem(DEVICES_KEY, JSON.stringify(remembered.value))
    } catch {
      // Storage refused (quota, private mode): the choice holds for this visit only.
    }
  }

  const devices = computed(() => session.view.devices)
  const cameras = computed(() => deviceChoices('videoinput', devices.value.videoinput))
  const microphones = computed(() => deviceChoices('audioinput', devices.value.audioinput))
  const speakers = computed(() => (canChooseSpeaker ? speakerChoices(devices.value.audiooutput ?? []) : []))
  /** Before permission browsers list no devices (Chromium) or unnamed ones: the selects say why. */
  const named = computed(() => devicesNamed(devices.value))

  const camera = computed(() => chosenValue(cameras.value, devices.value.selected.videoinput ?? remembered.value.videoinput))
  const microphone = computed(() => chosenValue(microphones.value, devices.value.selected.audioinput ?? remembered.value.audioinput))
  /** The speaker remote audio plays through: '' is the system's default (also for a remembered one that is gone). */
  const speaker = computed(() => {
    const chosen = remembered.value.audiooutput
    return chosen !== undefined && speakers.value.some((choice) => choice.value === chosen) ? chosen : ''
  })

  function selectInput(kind: DeviceKind, deviceId: string) {
    remember(kind, deviceId)
    session.selectDevice(kind, deviceId)
  }

  const selectCamera = (deviceId: string) => selectInput('videoinput', deviceId)
  const selectMicrophone = (deviceId: string) => selectInput('audioinput', deviceId)
  const selectSpeaker = (deviceId: string) => remember('audiooutput', deviceId)

  // What the last switch did (an unplugged device, one that failed to open), until dismissed.
  const dismissed = shallowRef<DeviceNotice>()
  const notice = computed(() => {
    const current = devices.value.notice
    return current && current !== dismissed.value ? deviceNoticeText(current) : ''
  })
  function dismissNotice() {
    dismissed.value = devices.value.notice
  }

  // Each new conference starts from the remembered choice, before its preview or join opens a device;
  // the core prefers it (`ideal`), so one that no longer exists quietly gives way to the default.
  session.$onAction(({ name, after }) => {
    if (name !== 'start') return
    after(() => {
      dismissed.value = undefined
      for (const kind of ['videoinput', 'audioinput'] as const) {
        const deviceId = remembered.value[kind]
        if (deviceId) session.selectDevice(kind, deviceId)
      }
    })
  })

  return {
    canChooseSpeaker,
    named,
    cameras,
    microphones,
    speakers,
    camera,
    microphone,
    speaker,
    selectCamera,
    selectMicrophone,
    selectSpeaker,
    notice,
    dismissNotice,
  }
})
