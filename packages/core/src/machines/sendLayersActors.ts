// The send-layers machine's I/O: the sender's figures read through the conference's PeerStats, and the
// camera's lower layers turned off through its CameraSender (sendResolution.ts), which the room's peer
// session attaches. The hub hears which layers go on its `internal` channel (hub-api-v1.md §5, Parley's
// `simulcast_layers` frame): it moves the subscribers of a layer we stop to the top one at once, where
// it took LAYER_IDLE_MS of that layer's silence to see it (a 1.2–1.4 s freeze, hub README).
import { INTERNAL_CHANNEL_LABEL, simulcastLayersFrame } from '@parley/protocol'
import { fromCallback, fromPromise } from 'xstate'
import type { DataChannels } from '../dataChannels.js'
import { layerFigures, type LayerFigures } from '../sendLayers.js'
import type { CameraSender } from '../sendResolution.js'
import type { PeerStats } from '../stats/peerStats.js'

export interface SendLayersDeps {
  camera: CameraSender
  peerStats: PeerStats
  /** The camera's rids; the first (the top one) is kept when the others stop (`CAMERA_LAYERS`). */
  rids: string[]
  /** The hub's channels (its `internal` one hears which layers we send). */
  channels: DataChannels
}

export function sendLayersActors({ camera, peerStats, rids, channels }: SendLayersDeps) {
  // Not sent while the hub has not opened its channel: it then sees a stopped layer by its silence.
  const tell = (active: string[]) => camera.trackId && channels.send(INTERNAL_CHANNEL_LABEL, simulcastLayersFrame(camera.trackId, active))
  return {
    readLayers: fromPromise<LayerFigures>(async () => layerFigures(await peerStats.read(), rids[0]!)),
    /**
     * Every layer but the top one inactive while it runs, active again when it stops. The sender's answers
     * are not events (as the resolution hold's): a refusal leaves the layers as they were (and the hub
     * is not told), and the figures the next samples read say so. Each `peer.negotiated` it hears turns
     * off again the layers a description turned on. The hub hears of the stop once the
     * sender took it (the stopped layers' last packets are on their way), and of the restart at once.
     */
    lowerLayersOff: fromCallback<{ type: 'peer.negotiated' }>(({ receive }) => {
      // Aborted at the restart: a stop the sender takes after the restart was told must not be told after it.
      const restart = new AbortController()
      void camera.layers(false).then((applied) => applied && !restart.signal.aborted && tell(rids.slice(0, 1)))
      // A negotiation may have turned them back on (CameraSender.keepLayers).
      receive(() => void camera.keepLayers(false))
      return () => {
        restart.abort()
        void camera.layers(true)
        tell(rids)
      }
    }),
    /** While every layer is to send: each `peer.negotiated` it hears turns on again the layers a description paused. */
    lowerLayersOn: fromCallback<{ type: 'peer.negotiated' }>(({ receive }) => receive(() => void camera.keepLayers(true))),
  }
}

export type SendLayersActors = ReturnType<typeof sendLayersActors>
