// The send-layers machine's I/O: the sender's figures read through the conference's PeerStats, and the
// camera's lower layers turned off through its CameraSender (sendResolution.ts), which the room's peer
// session attaches.
import { fromCallback, fromPromise } from 'xstate'
import { layerFigures, type LayerFigures } from '../sendLayers.js'
import type { CameraSender } from '../sendResolution.js'
import type { PeerStats } from '../stats/peerStats.js'

export interface SendLayersDeps {
  camera: CameraSender
  peerStats: PeerStats
  /** The rid of the layer kept when the others stop (the first of `CAMERA_LAYERS`). */
  topRid: string
}

export function sendLayersActors({ camera, peerStats, topRid }: SendLayersDeps) {
  return {
    readLayers: fromPromise<LayerFigures>(async () => layerFigures(await peerStats.read(), topRid)),
    /**
     * Every layer but the top one inactive while it runs, active again when it stops. The sender's answers
     * are not events (as the resolution hold's): a refusal leaves the layers as they were, and the
     * figures the next samples read say so.
     */
    lowerLayersOff: fromCallback(() => {
      void camera.layers(false)
      return () => void camera.layers(true)
    }),
  }
}

export type SendLayersActors = ReturnType<typeof sendLayersActors>
