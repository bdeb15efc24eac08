// The cluster options of the hub's command line (config.ts parses them with the rest).

export interface ClusterConfig {
  /** `redis://[:password@]host:port[/db]` */
  redisUrl: string
  /** Unique in the cluster, stable across restarts of this node (its rooms come back to it). Default `<hostname>-<port>`. */
  nodeId?: string
  /** Where the other nodes reach this one's HTTP API. Default: the URL it listens on. */
  advertiseUrl?: string
  /** Key prefix in Redis (several clusters, or tests, on one Redis). Default `parley:`. */
  prefix?: string
  heartbeatMs?: number
  nodeTtlMs?: number
}

export const CLUSTER_HELP = `Cluster (several hubs sharing one Redis; see the hub README, "A cluster of hubs")
  --redis <url>               Join the cluster in this Redis (redis://host:6379): rooms are
                              kept there instead of --data-dir, any node answers for any room.
                              Default: none (one hub on its own)
  --node-id <id>              This node's id, unique and stable. Default <hostname>-<port>
  --advertise-url <url>       Where the other nodes reach this one's API (e.g.
                              http://10.0.0.5:8080). Default: the address it listens on
`

export class ClusterConfigError extends Error {
  override name = 'ClusterConfigError'
}

/** The cluster part of the options, undefined without `--redis`. */
export function clusterConfig(values: { redis?: string; nodeId?: string; advertiseUrl?: string; registry?: string; dataDir?: string }): ClusterConfig | undefined {
  if (values.redis === undefined) {
    if (values.nodeId !== undefined || values.advertiseUrl !== undefined) throw new ClusterConfigError('--node-id and --advertise-url need --redis')
    return undefined
  }
  if (!/^rediss?:\/\/[^/]/.test(values.redis)) throw new ClusterConfigError(`--redis must be a redis://host:port URL, got "${values.redis}"`)
  if (values.registry !== undefined || values.dataDir !== undefined) throw new ClusterConfigError('--redis keeps rooms in Redis: leave out --registry and --data-dir')
  if (values.advertiseUrl !== undefined && !/^https?:\/\/[^/]/.test(values.advertiseUrl)) throw new ClusterConfigError(`--advertise-url must be an http(s) URL, got "${values.advertiseUrl}"`)
  if (values.nodeId !== undefined && !/^[\w.:-]{1,64}$/.test(values.nodeId)) throw new ClusterConfigError(`--node-id must be 1-64 letters, digits, ".", ":", "_" or "-", got "${values.nodeId}"`)
  return { redisUrl: values.redis, nodeId: values.nodeId, advertiseUrl: values.advertiseUrl }
}
