// Entry of a participant in a process of its own, so a fault run can kill it (SIGKILL: no leave, no
// FIN from a tidy close) or freeze it (SIGSTOP/SIGCONT). Arguments: hub URL, room id, name. Prints one
// JSON line `{"clientId": ...}` once the core says connected, then runs until it is signalled.
import { createLoadParticipant } from '../participant.js'
import { FAULT_VIDEO } from './observer.js'

const [hubUrl, roomId, name] = process.argv.slice(2)
if (!hubUrl || !roomId || !name) throw new Error('usage: child.ts <hubUrl> <roomId> <name>')
const participant = createLoadParticipant({ name, hubUrl, video: FAULT_VIDEO })
participant.conference.join({ roomId, displayName: name, media: { audio: true, video: true } })
const view = await participant.connected(30_000)
process.stdout.write(`${JSON.stringify({ clientId: view.clientId })}\n`)
process.on('SIGTERM', () => {
  participant.leave()
  setTimeout(() => process.exit(0), 200)
})
