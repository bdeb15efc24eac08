// Device choice, worded: the options a select shows (a device the browser names nobody yet is
// "Camera 1"), which option is chosen (a remembered device that is gone gives way to the default
// without a word), what is remembered across visits, and the sentence for what a switch did.
import type { DeviceNotice, DeviceOption, DevicesView } from '../conference/types'
import { deviceErrorCopy } from './messages'

export type DeviceListKind = 'audioinput' | 'videoinput' | 'audiooutput'

export const DEVICE_NOUNS: Record<DeviceListKind, { label: string; noun: 'camera' | 'microphone' | 'speaker' }> = {
  videoinput: { label: 'Camera', noun: 'camera' },
  audioinput: { label: 'Microphone', noun: 'microphone' },
  audiooutput: { label: 'Speaker', noun: 'speaker' },
}

export interface DeviceChoice {
  value: string
  label: string
}

/** The options of one select: the browser's labels, or "Camera 1", "Camera 2"… before permission. */
export function deviceChoices(kind: DeviceListKind, options: readonly DeviceOption[]): DeviceChoice[] {
  return options.map((option, index) => ({ value: option.deviceId, label: option.label.trim() || `${DEVICE_NOUNS[kind].label} ${index + 1}` }))
}

/** The system's default speaker as a choice: `setSinkId('')`, what every element plays through until one is chosen. */
export const SYSTEM_DEFAULT_SPEAKER = ''

/**
 * The speaker select's options. Its value is the sink id, and the default is '' (nothing to route), so the
 * browser's own `default` entry (Chromium lists one first) stands for it; a browser that lists none gets a
 * "System default" first. Without that, the select showed a blank until a speaker was picked: no option
 * held the value ''.
 */
export function speakerChoices(options: readonly DeviceOption[]): DeviceChoice[] {
  const choices = deviceChoices('audiooutput', options).map((choice) => (choice.value === 'default' ? { ...choice, value: SYSTEM_DEFAULT_SPEAKER } : choice))
  return options.length === 0 || choices.some((choice) => choice.value === SYSTEM_DEFAULT_SPEAKER) ? choices : [{ value: SYSTEM_DEFAULT_SPEAKER, label: 'System default' }, ...choices]
}

/** Labels are there once the page may use the devices (before, browsers name none). */
export function devicesNamed(view: Pick<DevicesView, 'audioinput' | 'videoinput'>): boolean {
  return [...view.audioinput, ...view.videoinput].some((option) => option.label.trim() !== '')
}

/**
 * The option a select shows: the chosen device while it is listed, otherwise the first one (the
 * browser's default: Chromium lists `default` first, and opens the first camera when none is named).
 */
export function chosenValue(choices: readonly DeviceChoice[], chosen: string | undefined): string {
  if (chosen !== undefined && choices.some((choice) => choice.value === chosen)) return chosen
  return choices[0]?.value ?? ''
}

/** What the app remembers across visits (localStorage): one device id per kind, nothing else. */
export type RememberedDevices = Partial<Record<DeviceListKind, string>>

export function parseRemembered(text: string | null): RememberedDevices {
  if (!text) return {}
  try {
    const value: unknown = JSON.parse(text)
    if (typeof value !== 'object' || value === null) return {}
    const remembered: RememberedDevices = {}
    for (const kind of Object.keys(DEVICE_NOUNS) as DeviceListKind[]) {
      const id = (value as Record<string, unknown>)[kind]
      if (typeof id === 'string' && id !== '') remembered[kind] = id
    }
    return remembered
  } catch {
    // Written by hand or by another version: as if nothing were remembered.
    return {}
  }
}

/** The sentence for what the last device change did (the call goes on in every case). */
export function deviceNoticeText(notice: DeviceNotice): string {
  const noun = DEVICE_NOUNS[notice.device].noun as 'camera' | 'microphone'
  switch (notice.kind) {
    case 'fallback':
      return `Your ${noun} was disconnected. Now using ${notice.label.trim() || `another ${noun}`}.`
    case 'lost':
      return `Your ${noun} was disconnected and no other ${noun} works. The call goes on without it.`
    case 'failed':
      return `${deviceErrorCopy(notice.error.kind, noun).title}. The ${noun} in use stays on.`
  }
}
